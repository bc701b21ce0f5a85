"""Credentials: each read from the environment variable the config names, else from the
secrets file (`live.secrets_file`, KEY=VALUE lines, kept outside the books and git).
A PEM key may be given inline or as the path of a file holding it. Secrets are never
shown: errors name the variable, never its value."""

from __future__ import annotations

import os
from pathlib import Path


class MissingSecret(Exception):
    pass


class Secrets:
    def __init__(self, file: Path | None, environ=None):
        self.file = file
        self.environ = os.environ if environ is None else environ
        self._file_values: dict[str, str] | None = None

    def _from_file(self) -> dict[str, str]:
        if self._file_values is None:
            self._file_values = {}
            if self.file is not None:
                try:
                    text = self.file.read_text(encoding="utf-8")
                except OSError as exc:
                    raise MissingSecret(f"{self.file}: cannot read the secrets file ({exc.strerror})") from None
                for n, line in enumerate(text.splitlines(), 1):
                    line = line.strip()
                    if not line or line.startswith("#"):
                        continue
                    key, eq, value = line.removeprefix("export ").partition("=")
                    if not eq:
                        raise MissingSecret(f"{self.file}:{n}: expected KEY=VALUE")
                    self._file_values[key.strip()] = value.strip().strip("'\"").replace("\\n", "\n")
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
