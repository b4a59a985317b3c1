"""Make nbgrader cheaper to call many times in one grading worker, without changing results.

Two of nbgrader's habits cost a grading worker more than the notebook it grades:

* it creates a new SQLAlchemy engine for every ``Gradebook`` it opens (about ten per
  submission), and a new engine starts with an empty statement cache, so every query
  is compiled again: :func:`share_engines` gives nbgrader one engine per database URL;
* its cell-metadata check calls ``jsonschema.validate`` once per graded cell, which
  first checks nbgrader's own schema against the JSON Schema meta-schema every time
  (four fifths of the check's cost): :func:`check_schema_once` validates the same
  instances against the same schema and reports the same (best-matching) error, with
  the schema checked once.

:func:`tune` applies both. Grading workers call it once; it is idempotent.
"""

from __future__ import annotations

import types
from typing import Any


def share_engines() -> None:
    """Let every nbgrader ``Gradebook`` in this process reuse one engine per database URL."""
    import nbgrader.api as api

    if getattr(api.create_engine, "shared_by_wbcourse", False):
        return
    original = api.create_engine
    engines: dict[str, Any] = {}

    def create_engine(url: Any, *args: Any, **kwargs: Any) -> Any:
        key = str(url)
        if key not in engines:
            engines[key] = original(url, *args, **kwargs)
        return engines[key]

    create_engine.shared_by_wbcourse = True  # type: ignore[attr-defined]
    api.create_engine = create_engine


def check_schema_once() -> None:
    """nbgrader's metadata validation with each schema checked once, not once per cell.

    The same error as ``jsonschema.validate`` (nbgrader's own call) for a cell whose
    metadata is missing required fields:

    >>> import jsonschema
    >>> from nbgrader.nbgraderformat import MetadataValidator
    >>> schema, meta = MetadataValidator().schema, {"schema_version": 3, "grade": True}
    >>> def message(validate):
    ...     try:
    ...         validate(meta, schema)
    ...     except jsonschema.ValidationError as exc:
    ...         return exc.message
    >>> before = message(jsonschema.validate)
    >>> check_schema_once()
    >>> import nbgrader.nbgraderformat.common as common
    >>> message(common.jsonschema.validate) == before, before
    (True, "'locked' is a required property")
    """
    import jsonschema
    import nbgrader.nbgraderformat.common as common

    if getattr(common.jsonschema, "checks_schema_once", False):
        return
    validators: dict[int, Any] = {}

    def validate(instance: Any, schema: Any, *args: Any, **kwargs: Any) -> None:
        validator = validators.get(id(schema))
        if validator is None:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validator = validators[id(schema)] = (schema, cls(schema))
        error = jsonschema.exceptions.best_match(validator[1].iter_errors(instance))
        if error is not None:
            raise error

    shim = types.SimpleNamespace(**{k: getattr(jsonschema, k) for k in dir(jsonschema)
                                    if not k.startswith("__")})
    shim.validate = validate
    shim.checks_schema_once = True
    common.jsonschema = shim


def tune() -> None:
    """Apply :func:`share_engines` and :func:`check_schema_once`."""
    share_engines()
    check_schema_once()
