"""GAM formulas in mgcv's syntax (`s(l1, k=4) + te(depth, SumNeurons, k=4) + x`) sized to data.

A term's basis is shrunk, turned linear or dropped when the runs cannot support it; each change
is noted, so the fit never fails for lack of data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from h2osweep.analysis.preprocess import Prepared
from h2osweep.errors import UserInputError

LECTURE_FORMULA = (
    "s(l1, k=4) + s(l2, k=4) + s(input_dropout) + s(rho, k=4) + s(epsilon, k=4) + "
    "s(MeanHiddenDropout, k=4) + te(depth, SumNeurons, k=4)"
)
DEFAULT_K = {"s": 10, "te": 5}
MIN_SPLINES = 4  # pygam's cubic splines need n_splines > spline_order (3)
TERM = re.compile(r"^(s|te|l)\((.*)\)$")
NAME = re.compile(r"^[A-Za-z_.][\w.]*$")
QUOTED = re.compile(r"^`([^`]+)`$")  # any other column name, in R's backquotes: `val/loss`


def quoted(name: str) -> str:
    """A column name as a formula writes it: bare, or in backquotes when R needs them."""
    return name if NAME.match(name) else f"`{name}`"


def unquoted(text: str) -> str | None:
    """The column a formula's name means (None: not a name)."""
    if NAME.match(text):
        return text
    match = QUOTED.match(text)
    return match.group(1) if match else None


@dataclass(frozen=True)
class GamTerm:
    """One term: `s` (smooth), `te` (tensor) or `l` (linear), its variables and basis size."""

    kind: str
    variables: tuple[str, ...]
    k: int | None = None

    @property
    def label(self) -> str:
        """The term as mgcv prints it, e.g. `s(l1)` or `te(depth,SumNeurons)`."""
        names = [quoted(v) for v in self.variables]
        return f"{self.kind}({','.join(names)})" if self.kind != "l" else names[0]

    def size(self) -> int:
        """Number of basis coefficients the term adds."""
        if self.kind == "l":
            return 1
        k = self.k or DEFAULT_K[self.kind]
        return k ** len(self.variables)


def parse_formula(text: str) -> list[GamTerm]:
    """Parse `[y ~] term + term + ...`; a bare name is a linear term."""
    rhs = text.split("~", 1)[-1].strip()
    parts = split_top_level(rhs)
    if not rhs or not all(p.strip() for p in parts):
        raise UserInputError(f"cannot read the GAM formula {text!r}: empty term")
    return [parse_term(p.strip(), text) for p in parts]


def split_top_level(text: str, separator: str = "+") -> list[str]:
    """Split on `separator` outside parentheses and backquotes."""
    parts, depth, quoting, current = [], 0, False, ""
    for char in text:
        quoting ^= char == "`"
        depth += 0 if quoting else {"(": 1, ")": -1}.get(char, 0)
        if char == separator and depth == 0 and not quoting:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def parse_term(part: str, text: str) -> GamTerm:
    """One term of a formula: `s(x, k=4)`, `te(a, b, k=4)`, `l(x)` or `x`."""
    if unquoted(part):
        return GamTerm("l", (unquoted(part),))
    match = TERM.match(part)
    if not match:
        raise UserInputError(
            f"cannot read GAM term {part!r} in {text!r}: use s(x, k=4), te(a, b) or x"
        )
    kind, inside = match.groups()
    args = [a.strip() for a in split_top_level(inside, ",") if a.strip()]
    names = [a for a in args if "=" not in a or QUOTED.match(a)]
    options = dict(a.replace(" ", "").split("=", 1) for a in args if a not in names)
    if set(options) - {"k", "bs"} or not names:
        raise UserInputError(f"cannot read GAM term {part!r}: options allowed are k= and bs=")
    if not all(unquoted(n) for n in names):
        raise UserInputError(
            f"cannot read GAM term {part!r}: a column name with other characters than letters, "
            "digits, _ and . goes in backquotes, as in R: s(`val/loss`)"
        )
    names = [unquoted(n) for n in names]
    if kind != "te" and len(names) > 1:
        raise UserInputError(f"GAM term {part!r}: s() and l() take one variable; use te(a, b)")
    k = basis_size(options["k"], part) if "k" in options else None
    return GamTerm(kind, tuple(names), k)


def basis_size(text: str, part: str) -> int:
    """An explicit `k=`: it becomes pygam's `n_splines`, and cubic splines need at least 4."""
    try:
        k = int(text)
    except ValueError:
        k = None
    if k is None or k < MIN_SPLINES:
        raise UserInputError(
            f"GAM term {part!r}: k must be a whole number >= {MIN_SPLINES} (k is the number of"
            f" cubic splines, and a cubic basis needs {MIN_SPLINES}), got {text!r}"
        )
    return k


def default_terms(prepared: Prepared) -> tuple[list[GamTerm], str]:
    """The lecture's formula when its variables are present, else `s()` per numeric column."""
    numeric = prepared.numeric
    lecture = parse_formula(LECTURE_FORMULA)
    lecture_vars = {v for t in lecture for v in t.variables}
    if lecture_vars <= set(numeric):
        extra = [GamTerm("s", (v,), 4) for v in numeric if v not in lecture_vars]
        return lecture + extra, "the lecture's formula"
    pair = {"depth", "SumNeurons"} <= set(numeric)
    terms = [GamTerm("s", (v,), 4) for v in numeric if not (pair and v in {"depth", "SumNeurons"})]
    if pair:
        terms.append(GamTerm("te", ("depth", "SumNeurons"), 4))
    levels = [c for c in prepared.treatment if c not in numeric]
    terms += [GamTerm("l", (c,)) for c in levels]
    extra = ", linear terms for category levels" if levels else ""
    return terms, f"s(x, k=4) per numeric hyperparameter{extra}"


def plan_terms(terms: list[GamTerm], prepared: Prepared, notes: list[str]) -> list[GamTerm]:
    """Check names, drop constant variables, shrink bases to what the runs allow."""
    known = set(prepared.features)
    dropped = set(prepared.original.columns) - set(prepared.numeric)
    planned = []
    for term in terms:
        missing = [v for v in term.variables if v not in known]
        if any(v not in dropped and v not in known for v in missing):
            raise UserInputError(
                f"GAM term {term.label} names unknown column(s) {', '.join(missing)}; "
                f"numeric columns: {', '.join(prepared.features)}"
            )
        if missing:
            notes.append(f"GAM: dropped {term.label}: {', '.join(missing)} is not a usable number.")
            continue
        planned.extend(fit_to_values(term, prepared, notes))
    return fit_to_runs(planned, len(prepared.y), notes)


def fit_to_values(term: GamTerm, prepared: Prepared, notes: list[str]) -> list[GamTerm]:
    """Shrink a term's basis to its variables' distinct values; too few values make it linear."""
    if term.kind == "l":
        return [term]
    k = term.k or DEFAULT_K[term.kind]
    distinct = {v: int(prepared.table[v].nunique()) for v in term.variables}
    fewest = min(distinct.values())
    if fewest < MIN_SPLINES and term.kind == "te":
        few = ", ".join(f"{v} has only {n}" for v, n in distinct.items() if n < MIN_SPLINES)
        notes.append(f"GAM: {term.label} split into one term per variable: {few} distinct values.")
        return [
            fit_to_values(GamTerm("s", (v,), term.k), prepared, notes)[0] for v in term.variables
        ]
    if fewest < MIN_SPLINES:
        notes.append(f"GAM: {term.label} has only {fewest} distinct values; linear instead.")
        return [GamTerm("l", term.variables)]
    if fewest < k:
        notes.append(f"GAM: {term.label} basis reduced from k={k} to k={fewest} (distinct values).")
        return [replace(term, k=fewest)]
    return [replace(term, k=k)]


def fit_to_runs(terms: list[GamTerm], n: int, notes: list[str]) -> list[GamTerm]:
    """Keep the number of coefficients below the number of runs: shrink, linearise, then drop."""

    def total(ts):
        return 1 + sum(t.size() for t in ts)

    if total(terms) < n:
        return terms
    before = total(terms)
    cut = any(t.kind != "l" and t.k > MIN_SPLINES for t in terms)
    terms = [replace(t, k=min(t.k, MIN_SPLINES)) if t.kind != "l" else t for t in terms]
    linear, dropped = [], []
    for index in reversed(range(len(terms))):
        if total(terms) < n:
            break
        if terms[index].kind != "l":
            linear.insert(0, terms[index].label)
            terms[index : index + 1] = [GamTerm("l", (v,)) for v in terms[index].variables]
    while terms and total(terms) >= n:
        dropped.insert(0, terms[-1].label)
        terms = terms[:-1]
    what = [
        f"bases cut to k={MIN_SPLINES}" if cut else "",
        f"made linear: {', '.join(linear)}" if linear else "",
        f"dropped: {', '.join(dropped)}" if dropped else "",
    ]
    notes.append(
        f"GAM: {before} coefficients for {n} runs is too many"
        + "".join(f"; {w}" for w in what if w)
        + "."
    )
    return terms
