"""The errors every layer raises: each message names the key or file and what is allowed."""


class ConfigError(ValueError):
    """A config value or key is wrong; the message names the key and what is allowed."""


class RunFileError(OSError):
    """A run file could not be read or written; the message names the file."""
