"""Jinja2 templates for drafts: defaults shipped in the package, overridable by the site.

A site overrides a platform's template by putting `<platform>.txt.j2` (or `default.txt.j2`
for all) in its templates folder (SYNDICATE["templates"], default `syndicate_templates/`).
Undefined variables are errors, so a typo never posts an empty string.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from syndicate.errors import ContentError
from syndicate.fast_templates import Renderer, compile_simple

VOCABULARY = ("title", "summary", "url", "hashtags", "tags", "author", "date", "lang",
              "image", "image_alt", "site", "platform")


class DraftTemplate:
    """A compiled template with the fastest exact way to render it."""

    def __init__(self, template: jinja2.Template, fast: Renderer | None, where: str,
                 source: str) -> None:
        self.template = template
        self.source = source
        self.fast = fast
        self.where = where
        self.filename = template.filename

    def render(self, context: Mapping[str, Any]) -> str:
        if self.fast is not None:
            try:
                return self.fast(context)
            except KeyError:
                pass  # a missing variable: let Jinja say so, with the line
        return render(self.template, context, self.where)


class DraftTemplates:
    """Finds and renders the template for a platform, reporting errors as one line."""

    def __init__(self, site_folder: Path | None) -> None:
        loaders: list[jinja2.BaseLoader] = []
        if site_folder is not None and site_folder.is_dir():
            loaders.append(jinja2.FileSystemLoader(str(site_folder)))
        loaders.append(jinja2.PackageLoader("syndicate", "templates"))
        self.environment = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._cache: dict[str, DraftTemplate] = {}

    def for_platform(self, platform: str, override: str | None = None) -> DraftTemplate:
        name = override or f"{platform}.txt.j2"
        if name not in self._cache:
            try:
                template = self.environment.select_template(
                    [name] if override else [name, "default.txt.j2"])
            except jinja2.TemplateSyntaxError as error:
                raise _syntax_error(error) from None
            except jinja2.TemplatesNotFound:
                raise ContentError(name, "template not found",
                                   "put it in the site's syndicate templates folder") from None
            loader = self.environment.loader
            assert loader is not None and template.name is not None
            source = loader.get_source(self.environment, template.name)[0]
            fast = compile_simple(self.environment, source)
            self._cache[name] = DraftTemplate(template, fast, template.filename or name, source)
        return self._cache[name]

    def from_metadata(self, text: str, where: str) -> DraftTemplate:
        try:
            template = self.environment.from_string(text)
        except jinja2.TemplateSyntaxError as error:
            raise ContentError(where, f"template syntax error: {error.message}",
                               "fix the {{ }} or {% %} in that metadata") from None
        return DraftTemplate(template, compile_simple(self.environment, text), where, text)


def _syntax_error(error: jinja2.TemplateSyntaxError) -> ContentError:
    where = f"{error.filename or error.name}:{error.lineno}"
    return ContentError(where, f"template syntax error: {error.message}",
                        "fix the template's {{ }} and {% %} markup")


def _template_line(template: jinja2.Template, traceback: types.TracebackType | None) -> int:
    line = 0
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == template.filename:
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def render(template: jinja2.Template, context: Mapping[str, Any], where: str) -> str:
    """Render with the draft vocabulary; errors name the template file and line."""
    try:
        return template.render(context)
    except jinja2.UndefinedError as error:
        line = _template_line(template, error.__traceback__)
        location = f"{template.filename}:{line}" if template.filename else where
        raise ContentError(location, f"template error: {error.message}",
                           f"use only these variables: {', '.join(VOCABULARY)}") from None
    except jinja2.TemplateError as error:
        location = template.filename or where
        raise ContentError(location, f"template error: {error}",
                           "fix the template") from None
