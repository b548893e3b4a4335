"""Settings as users write them: the forms of a list setting, and naming a setting as it was set.

dlt reads every argument of a source from ``SOURCES__<SOURCE>__<NAME>`` environment
variables, ``.dlt/secrets.toml`` and ``.dlt/config.toml``, and converts the value to the
argument's type hint. An argument whose hint dlt cannot convert to (a union such as
``list[str] | str``) is left out of its configuration without a word: it keeps its
default, or dlt's placeholder for ``dlt.config.value``, whatever the user set. So ARGO's
list settings, which take several forms, are hinted :data:`ListSetting` (dlt hands the
value over as written) and read with :func:`list_setting`; every other argument has a
plain hint dlt converts (``str``, ``int``, ``float``, ``bool``, optionally ``| None``).

A value of the wrong form is reported on one line that names the setting the way the
user wrote it (:func:`origin`): the environment variable, or the key and the file.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from dlt.common.configuration.exceptions import (
    ConfigValueCannotBeCoercedException,
    ValueNotSecretException,
)
from dlt.common.configuration.providers import EnvironProvider
from dlt.common.configuration.providers.toml import TomlProviderReadException
from dlt.common.configuration.specs.base_configuration import is_secret_hint
from dlt.common.configuration.utils import ResolvedValueTrace, get_resolved_traces

from ingestion.sources.errors import SourceError

#: The type hint of a list setting. dlt passes such a value unchanged: a TOML array (or a
#: bare TOML value) from ``.dlt/*.toml``, the text of an environment variable, or what a
#: caller passed. :func:`list_setting` reads every one of those forms.
ListSetting = Any

_ENV = EnvironProvider().name
_SPLIT = re.compile(r"[,\s]+")


@dataclass(frozen=True)
class Origin:
    """Where a setting's value came from.

    Attributes:
        kind: ``env`` (an environment variable), ``toml`` (a ``.dlt/*.toml`` file) or
            ``argument`` (passed by the caller).
        text: The setting as the user wrote it, e.g. ``SOURCES__META_ADS__LOOKBACK_DAYS='abc'``
            or ``sources.meta_ads.lookback_days = "abc" in /app/.dlt/config.toml``.
        name: The name the user wrote: the variable, the TOML key or the argument.
        default: The setting's default (``None`` when unknown).
    """

    kind: Literal["env", "toml", "argument"]
    text: str
    name: str
    default: Any = None


def origin(name: str, value: Any, *, secret: bool = False) -> Origin:
    """How the setting ``name`` with ``value`` was set, for an error message.

    dlt logs where it found each value it resolved; the newest entry for ``name`` that
    holds ``value`` is the one the source received. A value dlt did not look up was
    passed by the caller.

    Args:
        name: The argument's name (``account_ids``).
        value: The value as dlt found it (before conversion).
        secret: Leave the value out of the text.
    """
    trace = _trace(name, value)
    if trace is None:
        shown = "" if secret else f"={value!r}"
        return Origin("argument", f"{name}{shown}", name)
    if trace.provider_name == _ENV:
        variable = _variable(name, trace.sections, value)
        shown = "" if secret else f"='{value}'"
        return Origin("env", f"{variable}{shown}", variable, trace.default_value)
    key = ".".join([*trace.sections, name])
    shown = "" if secret else f" = {_toml(value)}"
    return Origin("toml", f"{key}{shown} in {_toml_file(trace)}", key, trace.default_value)


def settings_dir() -> Path:
    """The ``.dlt`` folder dlt reads ``config.toml`` and ``secrets.toml`` from."""
    from dlt.common.runtime.run_context import active

    return Path(active().settings_dir).resolve()


#: What a value of a hint must look like: (the form, an example when the default is none).
_FORMS: dict[type, tuple[str, str]] = {
    bool: ("true or false", "true"),
    int: ("a whole number", "7"),
    float: ("a number", "1.5"),
}


def config_error(source: str, exc: BaseException) -> str | None:
    """One line for a settings error dlt raised (behind ``exc``), or ``None`` for another.

    Covers a value dlt cannot convert to its setting's type (``lookback_days = "abc"``),
    a ``.dlt/*.toml`` file that is not TOML, and a secret in ``config.toml``.
    """
    for current in _chain(exc):
        if isinstance(current, ConfigValueCannotBeCoercedException):
            return _not_converted(source, current)
        if isinstance(current, TomlProviderReadException):
            return _not_toml(source, current)
        if isinstance(current, ValueNotSecretException):
            where = current.key
            if current.provider_name.endswith(".toml"):
                where += f" in {settings_dir() / current.provider_name}"
            return (
                f"{source}: {where} is a secret, and {current.provider_name} holds no secrets. "
                f"What to do: move it to {settings_dir() / 'secrets.toml'} (or to the "
                f"environment variable {current.key.replace('.', '__').upper()})"
            )
    return None


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        yield current
        seen.add(id(current))
        current = current.__cause__ or current.__context__


def _not_converted(source: str, exc: ConfigValueCannotBeCoercedException) -> str:
    secret = is_secret_hint(exc.hint)
    where = origin(exc.field_name, exc.field_value, secret=secret)
    form, example = _FORMS.get(exc.hint, (f"a {getattr(exc.hint, '__name__', exc.hint)}", ""))
    if where.default is not None and not secret:
        example = _toml(where.default)
    if where.kind == "env":
        fix = f"{where.name}={example}"
    elif where.kind == "toml":
        fix = f"{where.name.rsplit('.', 1)[-1]} = {example} (no quotes)"
    else:
        fix = f"{where.name}={example}"
    return (
        f"{source}: {where.text} is not {form}. What to do: write {form}, e.g. {fix}; see "
        f"ingestion/sources/{source}/README.md"
    )


def _not_toml(source: str, exc: TomlProviderReadException) -> str:
    for name in exc.full_paths:
        path = Path(name)
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            found = re.search(r"line (\d+)", str(error))
            line = int(found.group(1)) if found else 0
            # an unclosed array is noticed on a later line: its key is above that line
            near = _key_near(text, line - 1 if "Unclosed" in str(error) else line)
            return (
                f"{source}: {path.resolve()} is not valid TOML: {error}{near}. What to do: fix "
                'that line: text in quotes ("..."), numbers and true/false bare, lists like '
                '["a", "b"], tables like [sources.' + source + "]"
            )
    problem = " ".join(str(exc).split())
    return f"{source}: {problem}. What to do: fix that file"


def _key_near(text: str, line: int) -> str:
    """`` (near `key` on line n)`` for the setting at or above ``line`` (values left out)."""
    lines = text.splitlines()
    for number in range(min(line, len(lines)), 0, -1):
        match = re.match(r"\s*(\[[^\]]*\]?|[\w.\"'-]+)\s*(=|$)", lines[number - 1])
        if match and match.group(1):
            return f" (near `{match.group(1)}` on line {number})"
    return ""


def at_least(source: str, minimum: float, **settings: float) -> None:
    """Checks that every one of ``settings`` (name -> value) is at least ``minimum``.

    Raises:
        SourceError: One or more are smaller; the message names each with its value.
    """
    low = [f"{name} ({value})" for name, value in settings.items() if value < minimum]
    if low:
        names = ", ".join(low[:-1]) + (" and " if len(low) > 1 else "") + low[-1]
        raise SourceError(
            source,
            f"{names} must be at least {minimum}",
            hint=f"see ingestion/sources/{source}/README.md",
        )


def one_of(source: str, name: str, value: str | None, choices: Sequence[str], default: str) -> str:
    """A setting that names one of ``choices`` (any case); empty means ``default``.

    Raises:
        SourceError: The value is none of the choices.
    """
    chosen = (value or default).lower()
    if chosen not in choices:
        raise SourceError(
            source, f"unknown {name} '{value}'", hint=f"set {name} to one of {', '.join(choices)}"
        )
    return chosen


def list_setting(
    value: Any,
    *,
    source: str,
    name: str,
    what: str,
    example: Sequence[str],
    pattern: str | None = None,
    required: str | None = None,
) -> list[str]:
    """The items of a list setting, in order, without blanks and repeats.

    Accepted forms: a list (a TOML array, or what a caller passes), a JSON list in a string
    (``'["123","456"]'``, as an environment variable holds it), a comma- or space-separated
    string (``123,456``), or one bare value (``123``). Items are strings (numbers become
    their digits).

    Args:
        value: The setting as dlt passed it (``None``: not set).
        source: The source, for the error.
        name: The setting's name, for the error.
        what: What the items are, for the error (``"ad account ids (digits)"``).
        example: Two or so valid items, for the error's example.
        pattern: A regular expression every item must match in full, if any.
        required: What to do when the list is empty, for a setting without which the
            source cannot run (``None``: an empty list is allowed).

    Raises:
        SourceError: The value has none of the accepted forms, an item does not match
            ``pattern``, or a required list is empty; the message names the setting as it
            was set and the form it needs.
    """
    items = _items(value)
    if items is None:
        raise wrong_form(source, name, value, f"is not a list of {what}", example)
    found = list(dict.fromkeys(i for i in items if i))
    bad = [i for i in found if pattern is not None and not re.fullmatch(pattern, i)]
    if bad:
        which = f"{', '.join(map(repr, bad))} {'is not one' if len(bad) == 1 else 'are not'}"
        raise wrong_form(source, name, value, f"is not a list of {what}: {which}", example)
    if not found and required is not None:
        raise SourceError(source, f"no {name} configured", hint=required)
    return found


def wrong_form(
    source: str, name: str, value: Any, problem: str, example: Sequence[str]
) -> SourceError:
    """The one-line error for a list setting of the wrong form, naming the form it needs."""
    where = origin(name, value)
    listed = json.dumps(list(example), separators=(",", ":"))
    if where.kind == "env":
        form = f"a JSON list like '{listed}' or a comma-separated {','.join(example)}"
    elif where.kind == "toml":
        form = f"a TOML array like {name} = {json.dumps(list(example))}"
    else:
        form = f"a list like {json.dumps(list(example))}"
    return SourceError(source, f"{where.text} {problem}", hint=f"write {form}")


def _items(value: Any) -> list[str] | None:
    """The items of every accepted form; ``None`` for a value of another form."""
    if value is None:
        return []
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return [str(value)]
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                return None
            if not isinstance(value, list):
                return None
        else:
            return [v for v in _SPLIT.split(text) if v]
    if isinstance(value, list | tuple):
        if not all(isinstance(v, str | int) and not isinstance(v, bool) for v in value):
            return None
        return [str(v).strip() for v in value]
    return None


def _trace(name: str, value: Any) -> ResolvedValueTrace | None:
    for trace in reversed(get_resolved_traces().resolved_traces):
        if trace.key == name and _same(trace.value, value):
            return trace
    return None


def _same(found: Any, value: Any) -> bool:
    try:
        return bool(found is value or found == value)
    except Exception:  # values that cannot be compared are not the same
        return False


def _variable(name: str, sections: Sequence[str], value: Any) -> str:
    """The environment variable that held ``value`` (dlt may have put the pipeline first)."""
    plain = EnvironProvider.get_key_name(name, *sections)
    for variable, text in os.environ.items():
        if (variable == plain or variable.endswith(f"__{plain}")) and text == value:
            return variable
    return plain


def _toml_file(trace: ResolvedValueTrace) -> str:
    """The file behind a TOML provider's location (``config.toml``, ``global:config.toml``)."""
    from dlt.common.runtime.run_context import active

    location = trace.provider_location or trace.provider_name
    context = active()
    if location.startswith("global:"):
        return str(Path(context.global_dir) / location.removeprefix("global:"))
    if location.endswith(".toml"):
        return str(Path(context.settings_dir).resolve() / location)
    return location


def _toml(value: Any) -> str:
    """``value`` as TOML writes it (close enough for a message)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)
