"""`RRandom`: R's default random stream (Mersenne-Twister, Inversion, Rejection), bit for bit.

`RRandom(seed)` is R's `set.seed(seed)`; its `runif`, `rbeta` and `sample` return what R's
functions of the same name return and advance the shared stream exactly as R does, so calls
can be interleaved in any order. The 32-bit words come from numpy's MT19937 (the same twister
R uses) after seeding it the way R scrambles a seed; the conversions and the accept/reject
decisions are R's, vectorised where the algorithm allows. Logarithms and exponentials must be
the C library's (R calls it): numpy's are used when a probe shows they are identical to
`math`'s, otherwise `math` itself (see `numpy_matches_libm`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numpy as np

from h2osweep.errors import UserInputError
from h2osweep.validation import check_r_seed

MT_WORDS = 624
R_KIND_CODE = 10403  # .Random.seed[1] for Mersenne-Twister / Inversion / Rejection

_TWO_POW_M32 = 2.3283064365386963e-10  # R's MT_genrand scale, exactly 2^-32
_I2_32M1 = 2.328306437080797e-10  # R's 1/(2^32 - 1), used by fixup() for a zero word
_ZERO_WORD_UNIF = 0.5 * _I2_32M1
_EXPMAX = 1024 * 0.6931471805599453  # DBL_MAX_EXP * M_LN2 in rbeta.c
_DBL_MAX = np.finfo(np.float64).max
_INT_MAX = 2147483647
_HASH_SAMPLE_LIMIT = 1e7  # sample.int's useHash threshold
_MAX_POPULATION = 4.5e15


def _lcg_coefficients() -> tuple[np.ndarray, np.ndarray]:
    """(mult, add) with step j of `seed = 69069 * seed + 1` equal to mult[j] * seed0 + add[j].

    Steps 51..675 are the words R's `RNG_Init` stores: 50 scrambling steps, then one step per
    slot of `.Random.seed[2:626]` (mti first, which FixupSeeds overwrites).
    """
    mult, add, m, c = [], [], 1, 0
    for _ in range(50 + MT_WORDS + 1):
        m, c = (69069 * m) & 0xFFFFFFFF, (69069 * c + 1) & 0xFFFFFFFF
        mult.append(m)
        add.append(c)
    return np.array(mult[51:], dtype=np.uint64), np.array(add[51:], dtype=np.uint64)


_LCG_MULT, _LCG_ADD = _lcg_coefficients()


def scramble_seed(seed: int) -> np.ndarray:
    """The 624 Mersenne-Twister words R's `set.seed(seed)` stores in `.Random.seed[3:626]`."""
    s0 = np.uint64(check_seed(seed) & 0xFFFFFFFF)
    return ((_LCG_MULT * s0 + _LCG_ADD) & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def check_seed(seed: object) -> int:
    """Return `seed` as an int if R's `set.seed` accepts it; NA (-2^31) and non-integers fail."""
    return check_r_seed("seed", seed)


def _mt19937(words: np.ndarray, pos: int) -> np.random.MT19937:
    """A numpy MT19937 whose next output is R's next `MT_genrand` word."""
    gen = np.random.MT19937(0)  # any fixed seed: the state is replaced at once
    gen.state = {"bit_generator": "MT19937", "state": {"key": words.copy(), "pos": pos}}
    return gen


def _to_unit(raw: np.ndarray) -> np.ndarray:
    """R's `unif_rand()`: word * 2^-32, with `fixup` moving an exact 0 into (0, 1)."""
    u = raw.astype(np.float64) * _TWO_POW_M32
    u[raw == 0] = _ZERO_WORD_UNIF
    return u


class _Stream:
    """Buffered 32-bit words of one MT19937, so callers may look ahead before consuming."""

    def __init__(self, words: np.ndarray) -> None:
        self._initial = words.copy()
        self._gen = _mt19937(words, MT_WORDS)
        self._buf = np.empty(0, dtype=np.uint32)
        self._pos = 0
        self.consumed = 0

    def _pull(self, n: int) -> np.ndarray:
        return self._gen.random_raw(n).astype(np.uint32)

    def peek(self, n: int) -> np.ndarray:
        """The next `n` words, without consuming them."""
        avail = self._buf.size - self._pos
        if avail < n:
            fresh = self._pull(max(n - avail, 4096))
            self._buf = np.concatenate((self._buf[self._pos :], fresh))
            self._pos = 0
        return self._buf[self._pos : self._pos + n]

    def advance(self, n: int) -> None:
        """Consume `n` words already returned by `peek`."""
        self._pos += n
        self.consumed += n

    def take(self, n: int) -> np.ndarray:
        """Consume and return the next `n` words (large requests bypass the buffer)."""
        avail = self._buf.size - self._pos
        if n <= avail:
            out = self._buf[self._pos : self._pos + n]
            self.advance(n)
            return out
        head = self._buf[self._pos :]
        self._buf = np.empty(0, dtype=np.uint32)
        self._pos = 0
        self.consumed += n
        return np.concatenate((head, self._pull(n - avail)))

    def next_word(self) -> int:
        """Consume one word."""
        if self._pos >= self._buf.size:
            self.peek(1)
        word = int(self._buf[self._pos])
        self.advance(1)
        return word

    def state(self) -> tuple[np.ndarray, int]:
        """The (mt words, mti) R would hold after the words consumed so far."""
        gen = _mt19937(self._initial, MT_WORDS)
        if self.consumed:
            gen.random_raw(self.consumed)
        st = gen.state["state"]
        return np.asarray(st["key"], dtype=np.uint32), int(st["pos"])


def _math_map(fn, x: np.ndarray) -> np.ndarray:
    """Apply a `math` function element-wise: the C library's own result."""
    return np.fromiter(map(fn, x.tolist()), dtype=np.float64, count=x.size)


@functools.cache
def numpy_matches_libm() -> bool:
    """Whether numpy's float64 log/exp give the C library's doubles on a 120k-value probe.

    Where numpy dispatches to its own SIMD code (e.g. AVX-512) they can differ in the last
    bit, so RRandom then falls back to `math` (exact, but several times slower).
    """
    gen = np.random.default_rng(20181)
    log_in = np.concatenate(
        (gen.random(30_000), np.exp(gen.normal(0.0, 60.0, 30_000)), gen.random(10_000) * 4.0)
    )
    exp_in = np.concatenate((gen.uniform(-745.0, 709.0, 30_000), gen.normal(0.0, 4.0, 20_000)))
    with np.errstate(all="ignore"):
        same_log = np.array_equal(np.log(log_in), _math_map(math.log, log_in))
        same_exp = np.array_equal(np.exp(exp_in), _math_map(math.exp, exp_in))
    return bool(same_log and same_exp)


def _log(x: np.ndarray) -> np.ndarray:
    """C's `log`, element-wise: -Inf at 0, NaN below 0."""
    if numpy_matches_libm():
        with np.errstate(all="ignore"):
            return np.log(x)
    out = np.full(x.size, np.nan)
    pos = (x > 0) & np.isfinite(x)
    out[pos] = _math_map(math.log, x[pos])
    out[x == 0] = -np.inf
    out[np.isposinf(x)] = np.inf
    return out


def _exp(v: np.ndarray) -> np.ndarray:
    """C's `exp`, element-wise: +Inf on overflow."""
    if numpy_matches_libm():
        with np.errstate(all="ignore"):
            return np.exp(v)
    out = np.full(v.size, np.inf)
    safe = v <= 709.0
    out[safe] = _math_map(math.exp, v[safe])
    for i in np.flatnonzero(v > 709.0):
        try:
            out[i] = math.exp(float(v[i]))
        except OverflowError:
            out[i] = np.inf
    out[np.isnan(v)] = np.nan
    return out


def c_exp(values) -> np.ndarray:
    """C's `exp` element-wise, which R's `exp` is: for draws transformed after R's `runif`."""
    return _exp(np.asarray(values, dtype=np.float64))


def _exp_capped(v: np.ndarray, scale: float) -> np.ndarray:
    """rbeta.c's `w = AA * exp(v)` for v <= expmax, DBL_MAX when it overflows or v > expmax."""
    w = np.full(v.size, _DBL_MAX)
    ok = v <= _EXPMAX
    with np.errstate(over="ignore"):
        w[ok] = scale * _exp(v[ok])
    w[~np.isfinite(w)] = _DBL_MAX
    return w


class _BetaConstants:
    """Cheng's derived constants for one (shape1, shape2) pair, as rbeta.c caches them."""

    def __init__(self, aa: float, bb: float) -> None:
        self.aa = aa
        self.a = min(aa, bb)
        self.b = max(aa, bb)
        self.alpha = self.a + self.b
        a, b, alpha = self.a, self.b, self.alpha
        if a <= 1.0:  # algorithm BC
            self.beta = 1.0 / a
            self.delta = 1.0 + b - a
            self.k1 = self.delta * (0.0138889 + 0.0416667 * a) / (b * self.beta - 0.777778)
            self.k2 = 0.25 + (0.5 + 0.25 / self.delta) * a
        else:  # algorithm BB
            self.beta = math.sqrt((alpha - 2.0) / (2.0 * a * b - alpha))
            self.gamma = a + 1.0 / self.beta

    def v_w(self, u1: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
        """rbeta.c's `v_w_from__u1_bet(AA)`."""
        v = self.beta * _log(u1 / (1.0 - u1))
        return v, _exp_capped(v, scale)

    def attempts_bc(self, u1: np.ndarray, u2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Algorithm BC on pairs (u1, u2): which attempts R accepts, and their variates."""
        a, alpha = self.a, self.alpha
        lt = u1 < 0.5
        y = u1 * u2
        z = np.where(lt, u1 * y, u1 * u1 * u2)
        early_reject = np.where(lt, 0.25 * u2 + z - y >= self.k1, False)
        quick = ~lt & (z <= 0.25)
        early_reject |= ~lt & ~quick & (z >= self.k2)
        v, w = self.v_w(u1, self.b)
        final = np.flatnonzero(~quick & ~early_reject)
        ok = alpha * (_log(alpha / (a + w[final])) + v[final]) - 1.3862944 >= _log(z[final])
        accept = quick.copy()
        accept[final[ok]] = True
        value = a / (a + w) if self.aa == a else w / (a + w)
        return accept, value

    def attempts_bb(self, u1: np.ndarray, u2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Algorithm BB on pairs (u1, u2): which attempts R accepts, and their variates."""
        a, b, alpha = self.a, self.b, self.alpha
        v, w = self.v_w(u1, a)
        z = u1 * u1 * u2
        r = self.gamma * v - 1.3862944
        s = a + r - w
        accept = s + 2.609438 >= 5.0 * z
        rest = np.flatnonzero(~accept)
        t = _log(z[rest])
        second = s[rest] > t
        last = ~second
        idx = rest[last]
        third = ~(r[idx] + alpha * _log(alpha / (b + w[idx])) < t[last])
        accept[rest[second]] = True
        accept[idx[third]] = True
        value = b / (b + w) if self.aa != a else w / (b + w)
        return accept, value

    def attempts(self, u1: np.ndarray, u2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Accept flags and variates for each attempt, using BC or BB like rbeta.c."""
        if self.a <= 1.0:
            return self.attempts_bc(u1, u2)
        return self.attempts_bb(u1, u2)


def _check_count(n: object, what: str = "n") -> int:
    """A non-negative integer count of draws."""
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
        raise UserInputError(f"`{what}` must be a non-negative integer, but got {n!r}")
    return int(n)


def _check_real(value: object, what: str) -> float:
    """A real number that is not NA/NaN."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise UserInputError(f"`{what}` must be a number, but got {value!r}")
    x = float(value)
    if math.isnan(x):
        raise UserInputError(f"`{what}` must not be NA/NaN, but got {value!r}")
    return x


def _is_count_scalar(x: object) -> bool:
    """R's test for `sample(n)` meaning `sample(1:n)`: one finite number >= 1."""
    if isinstance(x, bool | np.bool_) or not isinstance(x, int | float | np.integer | np.floating):
        return False
    return math.isfinite(float(x)) and float(x) >= 1


def _index_bits(n: int) -> int:
    """`ceil(log2(n))` as R_unif_index computes it (exact via bit_length below 2^40)."""
    return (n - 1).bit_length() if n < 2**40 else math.ceil(math.log2(n))


class RRandom:
    """R's random stream after `set.seed(seed)`, with R's `runif`, `rbeta` and `sample`.

    >>> rng = RRandom(403)
    >>> int(rng.sample(range(1, 6), 1)[0])  # R: set.seed(403); sample(1:5, 1)
    4
    """

    def __init__(self, seed: int) -> None:
        self.seed = check_seed(seed)
        self._stream = _Stream(scramble_seed(self.seed))
        self._beta_cache: dict[tuple[float, float], _BetaConstants] = {}

    @property
    def random_seed(self) -> np.ndarray:
        """The current state as R's `.Random.seed` (626 int32: kind code, mti, 624 words)."""
        words, pos = self._stream.state()
        head = np.array([R_KIND_CODE, pos], dtype=np.int64)
        return np.concatenate((head, words.astype(np.int64))).astype(np.uint32).view(np.int32)

    def unif_rand(self, n: int) -> np.ndarray:
        """`n` of R's `unif_rand()` values in (0, 1), consuming one word each."""
        return _to_unit(self._stream.take(_check_count(n)))

    def runif(self, n: int = 1, min: float = 0.0, max: float = 1.0) -> np.ndarray:  # noqa: A002
        """R's `runif(n, min, max)`; no word is consumed when `min == max`, as in R."""
        n = _check_count(n)
        lo, hi = _check_real(min, "min"), _check_real(max, "max")
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi < lo:
            raise UserInputError(
                f"runif needs finite `min <= max`, but got min={min!r}, max={max!r}"
            )
        if lo == hi:
            return np.full(n, lo)
        return lo + (hi - lo) * self.unif_rand(n)

    def rbeta(self, n: int, shape1: float, shape2: float) -> np.ndarray:
        """R's `rbeta(n, shape1, shape2)` (Cheng 1978: BB if both shapes > 1, else BC)."""
        n = _check_count(n)
        aa, bb = _check_real(shape1, "shape1"), _check_real(shape2, "shape2")
        if aa < 0 or bb < 0:
            raise UserInputError(
                f"rbeta needs shapes >= 0, but got shape1={shape1!r}, shape2={shape2!r}"
            )
        special = self._rbeta_special(n, aa, bb)
        if special is not None:
            return special
        key = (aa, bb)
        if key not in self._beta_cache:
            self._beta_cache[key] = _BetaConstants(aa, bb)
        return self._rbeta_cheng(n, self._beta_cache[key])

    def _rbeta_special(self, n: int, aa: float, bb: float) -> np.ndarray | None:
        """rbeta.c's degenerate shapes (0 or Inf), or None when Cheng's algorithms apply."""
        if math.isinf(aa) and math.isinf(bb):
            return np.full(n, 0.5)
        if aa == 0 and bb == 0:
            return np.where(self.unif_rand(n) < 0.5, 0.0, 1.0)
        if math.isinf(aa) or bb == 0:
            return np.ones(n)
        if math.isinf(bb) or aa == 0:
            return np.zeros(n)
        return None

    def _rbeta_cheng(self, n: int, const: _BetaConstants) -> np.ndarray:
        """Run attempts in vectorised blocks; keep the first `n` accepted, consume up to them."""
        out = np.empty(n)
        done = 0
        while done < n:
            need = n - done
            pairs = int(need * 1.5) + 16
            words = self._stream.peek(2 * pairs)
            u = _to_unit(words)
            accept, value = const.attempts(u[0::2], u[1::2])
            hits = np.flatnonzero(accept)[:need]
            out[done : done + hits.size] = value[hits]
            done += hits.size
            used = pairs if hits.size < need else int(hits[-1]) + 1
            self._stream.advance(2 * used)
        return out

    def _unif_index_many(self, dn: float, k: int) -> np.ndarray:
        """`k` successive `R_unif_index(dn)`: rejection sampling on 16-bit chunks of words."""
        out = np.empty(k, dtype=np.int64)
        if dn <= 0:
            out[:] = 0
            return out
        bits = math.ceil(math.log2(dn))
        chunks = bits // 16 + 1
        mask = np.uint64((1 << bits) - 1)
        done = 0
        while done < k:
            need = k - done
            tries = 2 * need + 16
            words = self._stream.peek(tries * chunks).reshape(tries, chunks)
            v = np.zeros(tries, dtype=np.uint64)
            for c in range(chunks):
                v = v * np.uint64(65536) + (words[:, c] >> 16).astype(np.uint64)
            v &= mask
            hits = np.flatnonzero(v.astype(np.float64) < dn)[:need]
            out[done : done + hits.size] = v[hits].astype(np.int64)
            done += hits.size
            used = tries if hits.size < need else int(hits[-1]) + 1
            self._stream.advance(used * chunks)
        return out

    def _unif_index(self, dn: float) -> int:
        """One `R_unif_index(dn)`."""
        if dn <= 0:
            return 0
        bits = math.ceil(math.log2(dn))
        mask = (1 << bits) - 1
        while True:
            v = 0
            for _ in range(bits // 16 + 1):
                v = (65536 * v + (self._stream.next_word() >> 16)) & 0xFFFFFFFFFFFFFFFF
            v &= mask
            if v < dn:
                return v

    def sample_int(self, n: float, size: int | None = None, replace: bool = False) -> np.ndarray:
        """R's `sample.int(n, size, replace)`: integers in 1..n (int64)."""
        dn = _check_real(n, "n")
        k = int(dn) if size is None and math.isfinite(dn) else size
        k = _check_count(k, "size")
        if not math.isfinite(dn) or dn < 0 or dn > _MAX_POPULATION or (k > 0 and dn == 0):
            raise UserInputError(
                f"the population size must be finite, in [0, 4.5e15], and positive when "
                f"size > 0, but got n={n!r}, size={k}"
            )
        if not replace and k > dn:
            raise UserInputError(
                "cannot take a sample larger than the population when 'replace = FALSE' "
                f"(size={k}, population={_fmt_num(dn)})"
            )
        if not replace and dn > _HASH_SAMPLE_LIMIT and k <= dn / 2:
            return self._sample_hashed(dn, k)
        pop = dn if dn > _INT_MAX else float(int(dn))
        if replace or k < 2:
            return self._unif_index_many(pop, k) + 1
        return self._sample_without_replacement(int(pop), k)

    def _sample_without_replacement(self, n: int, k: int) -> np.ndarray:
        """do_sample's partial Fisher-Yates: pick x[j], then move the last element into slot j.

        Each pick is `R_unif_index(n)` with n shrinking by one, so the loop is sequential; it
        runs on plain ints read from the stream in blocks.
        """
        pool = list(range(n))
        out = [0] * k
        block = 2 * k + 64
        chunks16, p = (self._stream.peek(block) >> 16).tolist(), 0
        for i in range(k):
            bits = _index_bits(n)
            chunks, mask = bits // 16 + 1, (1 << bits) - 1
            while True:
                if p + chunks > len(chunks16):
                    self._stream.advance(p)
                    chunks16, p = (self._stream.peek(block) >> 16).tolist(), 0
                if chunks == 1:
                    v = chunks16[p] & mask
                elif chunks == 2:
                    v = ((chunks16[p] << 16) | chunks16[p + 1]) & mask
                else:
                    v = 0
                    for c in chunks16[p : p + chunks]:
                        v = (v << 16) | c
                    v &= mask
                p += chunks
                if v < n:
                    break
            out[i] = pool[v] + 1
            n -= 1
            pool[v] = pool[n]
        self._stream.advance(p)
        return np.array(out, dtype=np.int64)

    def _sample_hashed(self, dn: float, k: int) -> np.ndarray:
        """do_sample2 (n > 1e7, size <= n/2): redraw duplicates, at most 100 tries each."""
        out = np.empty(k, dtype=np.int64)
        seen: set[int] = set()
        for i in range(k):
            for _ in range(100):
                value = self._unif_index(dn) + 1
                if value not in seen:
                    break
            seen.add(value)
            out[i] = value
        return out

    def sample(self, x: object, size: int | None = None, replace: bool = False) -> np.ndarray:
        """R's `sample(x, size, replace)`; one number n >= 1 means `1:n`, as in R."""
        if _is_count_scalar(x):
            return self.sample_int(x, size, replace)
        values = _as_vector(x)
        k = values.size if size is None else size
        idx = self.sample_int(values.size, k, replace)
        return values[idx - 1]


def _as_vector(x: object) -> np.ndarray:
    """A 1-D numpy array of the values to sample from (a scalar is a vector of length one)."""
    if isinstance(x, str | bytes | bool | int | float) or np.isscalar(x):
        return np.asarray([x])
    if not isinstance(x, Sequence | np.ndarray) and not hasattr(x, "to_numpy"):
        x = list(x)  # ranges of other kinds, generators, sets are not sequences R would know
    arr = x.to_numpy() if hasattr(x, "to_numpy") else np.asarray(x)
    if arr.ndim != 1:
        raise UserInputError(f"sample needs a 1-D vector, but got an array of shape {arr.shape}")
    return arr


def _fmt_num(x: float) -> str:
    """A population size printed as an integer when it is one."""
    return str(int(x)) if float(x).is_integer() else repr(x)
