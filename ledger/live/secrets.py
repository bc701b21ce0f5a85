"""Credentials: each read from the environment variable the config names, else from the
secrets file (`live.secrets_file`, KEY=VALUE lines, kept outside the books and git),
read by python-dotenv's parser as every dotenv file is: `export`, a quoted value ending
at its closing quote (over several lines if need be), a ` #` after an unquoted value
starting a comment; never interpolated (a `$` in a secret is the secret's).
A PEM key may be given inline or as the path of a file holding it. Secrets are never
shown: errors name the variable, never its value."""

from __future__ import annotations

import io
import os
from pathlib import Path

from dotenv.parser import parse_stream


class MissingSecret(Exception):
    pass


class Secrets:
    def __init__(self, file: Path | None, environ=None):
        self.file = file
        self.environ = os.environ if environ is None else environ
        self._file_values: dict[str, str] | None = None

    def _from_file(self) -> dict[str, str]:
        if self._file_values is None:
            values = {}
            if self.file is not None:
                try:
                    text = self.file.read_text(encoding="utf-8")
                except OSError as exc:
                    raise MissingSecret(f"{self.file}: cannot read the secrets file ({exc.strerror})") from None
                for binding in parse_stream(io.StringIO(text)):
                    if binding.error or (binding.key is not None and binding.value is None):
                        # the line number only: the line may be a secret pasted alone
                        raise MissingSecret(f"{self.file}:{binding.original.line}: expected KEY=VALUE")
                    if binding.key is not None:
                        # a PEM key may sit on one line with \n (a double-quoted value's
                        # \n is dotenv's already)
                        values[binding.key] = binding.value.replace("\\n", "\n")
            self._file_values = values
        return self._file_values

    def get(self, name: str, optional: bool = False) -> str | None:
        value = self.environ.get(name) or self._from_file().get(name)
        if not value:
            if optional:
                return None
            where = f" or in {self.file}" if self.file else ""
            raise MissingSecret(f"{name} is not set: set it in the environment{where} (see docs/live.md)")
        return value

    def pem(self, name: str, optional: bool = False) -> str | None:
        """A PEM key given inline, or the path of a file holding it."""
        value = self.get(name, optional)
        if value is None or "-----BEGIN" in value:
            return value
        try:
            return Path(value).expanduser().read_text(encoding="utf-8")
        except OSError:
            raise MissingSecret(f"{name}: expected a PEM key or the path of a file holding one") from None
