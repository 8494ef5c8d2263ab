"""The command-line shell: parses options, calls the library, maps errors to exit statuses."""
