"""Jinja2 templates for drafts: defaults shipped in the package, overridable by the site.

A site overrides a platform's template by putting `<platform>.txt.j2` (or `default.txt.j2`
for all) in its templates folder (SYNDICATE["templates"], default `syndicate_templates/`).
Undefined variables are errors, so a typo never posts an empty string.

Every template, the site's and those in an article's metadata (`Mastodon:`, `Social:`),
is rendered in Jinja's immutable sandbox: a guest post's metadata is untrusted input, and
a plain environment lets `{{ cycler.__init__.__globals__ }}` reach Python and run
commands during the build (with CI's write access to the repository). No attribute walk
to Python internals, no mutation of the values passed in, and no operator that builds a
string or number large enough to exhaust the build.
"""

from __future__ import annotations

import types
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from syndicate.compose.fast_templates import Renderer, compile_simple
from syndicate.errors import ContentError

if TYPE_CHECKING:
    from syndicate.compose.articles import ArticleSource
    from syndicate.platforms.base import Platform

# Beyond this many characters (or digits) a result of `*` or `**` is refused: no post is
# that long, and `{{ 'x' * 10**10 }}` would exhaust the build's memory.
MAX_PRODUCT = 100_000
VOCABULARY = ("title", "summary", "url", "hashtags", "tags", "author", "date", "lang",
              "image", "image_alt", "site", "platform")
# Metadata that replaces the template: for all platforms, or for one.
SOCIAL_KEY = "social"


class DraftSandbox(ImmutableSandboxedEnvironment):
    """The sandbox, with `*` and `**` bounded."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(left, int | float) and isinstance(right, int | float) \
                    and abs(right) > 64 and abs(left) > 1:
                raise SecurityError(f"{left!r} ** {right!r} is too large a number")
            return left ** right
        sequence, times = (left, right) if isinstance(right, int) else (right, left)
        if isinstance(sequence, str | list | tuple) and isinstance(times, int) \
                and len(sequence) * times > MAX_PRODUCT:
            raise SecurityError(f"repeating a text {times:,} times is too long")
        return left * right


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
        self.site_folder = site_folder
        loaders: list[jinja2.BaseLoader] = []
        if site_folder is not None and site_folder.is_dir():
            loaders.append(jinja2.FileSystemLoader(str(site_folder)))
        loaders.append(jinja2.PackageLoader("syndicate", "templates"))
        self.environment = DraftSandbox(
            loader=jinja2.ChoiceLoader(loaders),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._cache: dict[str, DraftTemplate] = {}
        # An article's own templates, by text and place: its drafts, fingerprints and
        # the build's checks each ask for them, and compiling one takes a millisecond.
        self._from_metadata: dict[tuple[str, str], DraftTemplate] = {}

    def for_platform(self, platform: str, override: str | None = None) -> DraftTemplate:
        name = override or f"{platform}.txt.j2"
        if name not in self._cache:
            try:
                template = self.environment.select_template(
                    [name] if override else [name, "default.txt.j2"])
            except jinja2.TemplateSyntaxError as error:
                raise _syntax_error(error) from None
            except jinja2.TemplatesNotFound:
                raise self._not_found(platform, name) from None
            loader = self.environment.loader
            assert loader is not None and template.name is not None
            source = loader.get_source(self.environment, template.name)[0]
            fast = compile_simple(self.environment, source)
            self._cache[name] = DraftTemplate(template, fast, template.filename or name, source)
        return self._cache[name]

    def _not_found(self, platform: str, name: str) -> ContentError:
        """Which template, for which platform, and where it was looked for."""
        folder = self.site_folder
        if folder is None:
            searched = "no site templates folder is set"
        elif folder.is_dir():
            searched = f"not in {folder}"
        else:
            searched = f"the templates folder {folder} does not exist"
        return ContentError(f"{platform} template {name!r}",
                            f"template not found ({searched}, nor among the defaults)",
                            f"put {name} in {folder or 'the templates folder'} (SYNDICATE "
                            f"templates), or fix SYNDICATE['platforms']['{platform}']"
                            "['template']")

    def from_metadata(self, text: str, where: str) -> DraftTemplate:
        known = self._from_metadata.get((text, where))
        if known is not None:
            return known
        try:
            template = self.environment.from_string(text)
        except jinja2.TemplateSyntaxError as error:
            raise ContentError(where, f"template syntax error: {error.message}",
                               "fix the {{ }} or {% %} in that metadata") from None
        if len(self._from_metadata) >= 64:  # the last few articles' are what is asked for
            self._from_metadata.clear()
        made = self._from_metadata[text, where] = DraftTemplate(
            template, compile_simple(self.environment, text), where, text)
        return made


def template_for(article: ArticleSource, platform: Platform, templates: DraftTemplates
                 ) -> tuple[DraftTemplate, str, bool]:
    """The template, where its errors point, and whether it is the author's own text."""
    override = article.metadata.get(platform.name) or article.metadata.get(SOCIAL_KEY)
    if override:
        key = platform.name if article.metadata.get(platform.name) else SOCIAL_KEY
        where = f"{article.source} ({key.capitalize()} metadata)"
        return templates.from_metadata(override, where), where, True
    template = templates.for_platform(platform.name, platform.option("template"))
    return template, template.where, False


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
    """Render with the draft vocabulary; errors name the template file (or the article and
    its metadata key) and line."""
    # A template made from an article's metadata has no file of its own: where names it.
    filename = template.filename if template.filename not in (None, "<template>") else None
    try:
        return template.render(context)
    except SecurityError as error:
        raise ContentError(filename or where, f"template refused by the sandbox ({error})",
                           "templates may only show the draft variables "
                           f"({', '.join(VOCABULARY)}) with Jinja's filters and tests; "
                           "nothing of this article was built") from None
    except jinja2.UndefinedError as error:
        line = _template_line(template, error.__traceback__)
        location = f"{filename}:{line}" if filename else where
        raise ContentError(location, f"template error: {error.message}",
                           f"use only these variables: {', '.join(VOCABULARY)}") from None
    except jinja2.TemplateError as error:
        raise ContentError(filename or where, f"template error: {error}",
                           "fix the template") from None
    except (ArithmeticError, ValueError, TypeError, AttributeError, LookupError) as error:
        # Python's own errors from inside an expression ({{ 1/0 }}, a bad format).
        raise ContentError(filename or where, f"template error: {type(error).__name__}: "
                           f"{error}", "fix the expression in the template") from None
