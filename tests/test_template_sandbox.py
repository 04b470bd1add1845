"""Templates are untrusted input: an article's metadata (a guest post) or a site template
must not reach Python. Each hostile template is built for real with Pelican: the build
reports one line naming the article file and the metadata key, nothing is built for that
article, the other articles are, and the command never runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest
from conftest import Site, article
from hypothesis import given
from hypothesis import strategies as st

from syndicate.compose.fast_templates import compile_simple
from syndicate.compose.templates import DraftSandbox, DraftTemplates


def _escapes(marker: Path) -> dict[str, str]:
    """Ways to reach Python from a Jinja template, each trying to create marker."""
    command = f"touch {marker}"
    return {
        "cycler globals": f"{{{{ cycler.__init__.__globals__.os.popen('{command}').read() }}}}",
        "joiner globals": f"{{{{ joiner.__init__.__globals__.os.system('{command}') }}}}",
        "namespace globals":
            f"{{{{ namespace.__init__.__globals__['os'].system('{command}') }}}}",
        "lipsum globals": f"{{{{ lipsum.__globals__['os'].popen('{command}').read() }}}}",
        "self builtins": "{{ self.__init__.__globals__.__builtins__.__import__('os')"
                         f".system('{command}') }}}}",
        "subclasses walk": "{% for c in ''.__class__.__mro__[1].__subclasses__() %}"
                           "{% if c.__name__ == 'Popen' %}"
                           f"{{{{ c('{command}', shell=True) }}}}{{% endif %}}{{% endfor %}}",
        "attr filter": "{{ (url|attr('__class__')|attr('__mro__'))[1]"
                       "|attr('__subclasses__') }}",
        "str.format": "{{ '{0.__class__.__mro__[1].__subclasses__}'.format(url) }}",
        "date internals": "{{ date.__class__.__init__.__globals__ }}",
        "mutating a value": "{{ tags.append('#injected') }}{{ tags }} {{ url }}",
        "huge string": "{{ 'x' * 10000000000 }}",
        "huge power": "{{ 99 ** 99999999 }}",
    }


ESCAPE_NAMES = list(_escapes(Path("/x")))


@pytest.mark.parametrize("name", ESCAPE_NAMES)
def test_hostile_metadata_template_is_refused(make_site: Callable[..., Site], tmp_path: Path,
                                              name: str) -> None:
    marker = tmp_path / "pwned"
    hostile = _escapes(marker)[name]
    site = make_site({
        "guest.md": article("A guest post", date="2026-01-02", mastodon=hostile),
        "good.md": article("A good walk", date="2026-01-01"),
    }, syndicate={"platforms": {"outbox": {}, "mastodon": {"url": "https://social.example"}}})
    result = site.build()
    assert not marker.exists(), "the template ran a command"
    assert result.exit_code == 1, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1, result.output
    assert "content/guest.md (Mastodon metadata)" in errors[0]
    assert "Traceback" not in result.output
    # The rest of the build went on: the good article's drafts are in the manifest.
    from syndicate.compose.manifest import load_manifest

    manifest = load_manifest(site.root / ".syndicate" / "manifest.json")
    assert {d.article for d in manifest.drafts} == {"good.md"}


def test_hostile_site_template_is_refused(make_site: Callable[..., Site],
                                          tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    site = make_site({"good.md": article("A good walk")})
    site.write("syndicate_templates/outbox.txt.j2",
               _escapes(marker)["cycler globals"] + "\n{{ url }}\n")
    result = site.build()
    assert not marker.exists()
    assert result.exit_code == 1
    assert "outbox.txt.j2" in result.output
    assert "sandbox" in result.output


def test_the_social_key_is_named(make_site: Callable[..., Site], tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    site = make_site({"guest.md": article("Guest", social=_escapes(marker)["lipsum globals"])})
    result = site.build()
    assert not marker.exists()
    assert "content/guest.md (Social metadata)" in result.output


def test_ordinary_templates_still_render(make_site: Callable[..., Site]) -> None:
    """Filters, tests, loops and conditionals an author really writes keep working."""
    site = make_site({"a.md": article(
        "Walking", tags="walking, small web",
        outbox="{{ title|upper }}{% if tags %} ({{ tags|length }} tags){% endif %}"
                 "{% for t in tags %} {{ t }}{% endfor %} {{ url }}")})
    assert site.build().exit_code == 0
    [draft] = [d for d in site.preview_json() if d["platform"] == "outbox"]
    assert draft["parts"][0]["text"].startswith("WALKING (2 tags) #walking #SmallWeb ")


# The fast renderer must never render what the sandbox refuses: wherever it renders, its
# output equals the sandbox's; wherever the sandbox refuses, it declines.

NAMES = ["title", "url", "summary", "hashtags", "cycler", "self", "lipsum", "range"]
PIECES = st.one_of(
    st.text(alphabet="ab {}%#\n", max_size=6).filter(lambda t: "{" not in t and "%" not in t
                                                     and "#" not in t),
    st.sampled_from(NAMES).map(lambda n: f"{{{{ {n} }}}}"),
    st.sampled_from(NAMES).map(lambda n: f"{{{{ {n}.__class__ }}}}"),
    st.sampled_from(NAMES).map(lambda n: f"{{{{ {n}.__init__.__globals__ }}}}"),
    st.sampled_from(NAMES).map(lambda n: f"{{% if {n} %}}yes{{% else %}}no{{% endif %}}"),
    st.sampled_from(NAMES).map(lambda n: f"{{% if not {n} %}}{{{{ {n} }}}}{{% endif %}}"),
    st.sampled_from(NAMES).map(lambda n: f"{{{{ {n}|attr('__class__') }}}}"),
)
CONTEXT = {"title": "A walk", "url": "https://blog.example/a/", "summary": "",
           "hashtags": "#walking"}


@given(st.lists(PIECES, max_size=6).map("".join))
def test_fast_renderer_never_renders_what_the_sandbox_refuses(source: str) -> None:
    environment = DraftTemplates(None).environment
    assert isinstance(environment, DraftSandbox)
    fast = compile_simple(environment, source)
    try:
        expected: str | None = environment.from_string(source).render(CONTEXT)
    except jinja2.TemplateError:
        expected = None
    if fast is None:
        return
    try:
        got: str | None = fast(CONTEXT)
    except KeyError:
        got = None  # falls back to the sandbox, which decides
    if got is not None:
        assert got == expected
