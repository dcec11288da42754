"""The GraphiQL page at /graphql: only same-origin assets, each served with its content type,
the example operations as tabs, and the vendored files exactly as recorded."""

from __future__ import annotations

import glob
import hashlib
import json
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from inboxgraph.config import load_settings
from inboxgraph.playground import STATIC_DIR, example_operations, playground_page
from inboxgraph.playground import page as page_module
from tests.support import app_client

REPO_ROOT = Path(__file__).resolve().parents[1]
OPERATIONS_DIR = REPO_ROOT / "graphql" / "operations"
PACKAGE_DIR = REPO_ROOT / "inboxgraph" / "playground"
VENDOR_DIR = STATIC_DIR / "vendor"

CONTENT_TYPES = {
    ".js": ("text/javascript", "application/javascript"),
    ".css": ("text/css",),
    ".svg": ("image/svg+xml",),
}


class PageParts(HTMLParser):
    """The URLs a page makes the browser load, its scripts, and its JSON config."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.config: str | None = None
        self._in_config = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        for name in ("src", "href"):
            value = attributes.get(name)
            if value is not None:
                self.urls.append(value)
        if tag == "script":
            self.scripts.append(attributes)
            self._in_config = attributes.get("id") == "playground-config"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_config = False

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config = (self.config or "") + data


def parse(page: str) -> PageParts:
    parts = PageParts()
    parts.feed(page)
    return parts


def config_of(page: str) -> dict[str, object]:
    config = parse(page).config
    assert config is not None
    parsed: dict[str, object] = json.loads(config)
    return parsed


async def browser_page(client: httpx.AsyncClient) -> httpx.Response:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    return response


async def test_the_page_loads_only_same_origin_assets_each_with_its_type(
    sandbox_client: httpx.AsyncClient,
) -> None:
    page = await browser_page(sandbox_client)
    parts = parse(page.text)

    # Five scripts, two library stylesheets plus ours, and the icon: all of GraphiQL.
    assert len(parts.urls) == 9
    for url in parts.urls:
        # A path on this origin: not absolute, not protocol-relative.
        assert url.startswith("/graphql/static/") and "//" not in url, url
        asset = await sandbox_client.get(url)
        assert asset.status_code == 200, url
        path = url.split("?", 1)[0].removeprefix("/graphql/static/")
        assert asset.content == (STATIC_DIR / path).read_bytes()
        media_type = asset.headers["content-type"].split(";")[0]
        assert media_type in CONTENT_TYPES[Path(path).suffix], url
    # No script runs inline: the config is data, everything else comes from a file.
    for script in parts.scripts:
        assert script.get("src") or script.get("type") == "application/json", script


async def test_the_browser_is_told_to_refuse_any_other_origin(
    sandbox_client: httpx.AsyncClient,
) -> None:
    page = await browser_page(sandbox_client)
    policy = dict(
        directive.strip().split(" ", 1)
        for directive in page.headers["content-security-policy"].split(";")
    )
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'"
    assert policy["connect-src"] == "'self'"
    assert all("http" not in sources and "*" not in sources for sources in policy.values())


async def test_the_page_opens_with_the_example_operations_as_tabs(
    sandbox_client: httpx.AsyncClient,
) -> None:
    page = await browser_page(sandbox_client)
    documents = [p.read_text() for p in sorted(OPERATIONS_DIR.glob("*.graphql"))]
    assert len(documents) >= 5
    assert config_of(page.text) == {
        "tabs": [{"query": document, "headers": ""} for document in documents],
        "headers": "",
    }


async def test_with_an_api_token_the_page_stays_open_and_asks_for_it_in_the_headers() -> None:
    settings = load_settings({"INBOXGRAPH_API_TOKEN": "a-token-for-the-playground-0123"})
    async with app_client(settings) as client:
        page = await browser_page(client)
        assets = [await client.get(url) for url in parse(page.text).urls]
        refused = await client.post("/graphql", json={"query": "{ __typename }"})
    assert [asset.status_code for asset in assets] == [200] * 9
    assert refused.status_code == 401
    config = config_of(page.text)
    assert "a-token-for-the-playground" not in page.text
    template = '{\n  "Authorization": "Bearer "\n}'
    assert config["headers"] == template
    assert isinstance(config["tabs"], list)
    assert {tab["headers"] for tab in config["tabs"]} == {template}


def test_assets_are_linked_below_the_root_path() -> None:
    parts = parse(playground_page(root_path="/inbox/"))
    assert parts.urls and all(url.startswith("/inbox/graphql/static/") for url in parts.urls)


def test_a_document_cannot_end_the_script_element_holding_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    hostile = '# </script><script>alert(1)</script> <!-- & "quotes"\n{ __typename }\n'
    monkeypatch.setattr(page_module, "example_operations", lambda: (hostile,))
    page = playground_page()
    assert page.count("</script>") == len(parse(page).scripts)
    assert config_of(page)["tabs"] == [{"query": hostile, "headers": ""}]


def test_without_the_examples_the_page_opens_one_tab_that_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(page_module, "example_operations", lambda: ())
    assert config_of(playground_page())["tabs"] == [
        {"query": page_module.FALLBACK_TAB, "headers": ""}
    ]


def test_the_examples_come_from_the_first_folder_that_has_them(tmp_path: Path) -> None:
    empty, source = tmp_path / "empty", tmp_path / "source"
    empty.mkdir()
    source.mkdir()
    (source / "b.graphql").write_text("{ b }")
    (source / "a.graphql").write_text("{ a }")
    (source / "notes.txt").write_text("not an operation")
    assert example_operations([tmp_path / "missing", empty, source]) == ("{ a }", "{ b }")
    assert example_operations([tmp_path / "missing"]) == ()


def test_the_package_holds_the_repository_examples() -> None:
    packaged = PACKAGE_DIR / "operations"
    assert sorted(p.name for p in packaged.glob("*.graphql")) == sorted(
        p.name for p in OPERATIONS_DIR.glob("*.graphql")
    )
    assert example_operations([packaged]) == tuple(
        p.read_text() for p in sorted(OPERATIONS_DIR.glob("*.graphql"))
    )


def test_the_vendored_files_are_the_recorded_ones_with_their_licenses() -> None:
    manifest = json.loads((VENDOR_DIR / "manifest.json").read_text())
    versions = {entry["name"]: entry["version"] for entry in manifest["packages"]}
    # GraphiQL 3's UMD build loads React 18's UMD globals (React 19 has no UMD build).
    assert versions["graphiql"].startswith("3.")
    assert versions["react"] == versions["react-dom"]
    assert versions["react"].startswith("18.")
    recorded = {
        path: digest for entry in manifest["packages"] for path, digest in entry["files"].items()
    }
    on_disk = {
        str(path.relative_to(VENDOR_DIR)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in VENDOR_DIR.rglob("*")
        if path.is_file() and path.name != "manifest.json"
    }
    assert on_disk == recorded
    for folder in {Path(path).parent for path in recorded}:
        assert (VENDOR_DIR / folder / "LICENSE").read_text().startswith("MIT License")
    # What graphiql.min.js bundles comes with its licenses too.
    notices = (VENDOR_DIR / "graphiql" / "THIRD_PARTY_NOTICES").read_text()
    for bundled in ("codemirror@", "markdown-it@", "graphql@", "graphql-ws@"):
        assert f"\n{bundled}" in notices


def test_the_wheel_ships_every_playground_file() -> None:
    """pyproject.toml's package data names every file the playground reads at run time."""
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    patterns = (
        pyproject["tool"]["setuptools"].get("package-data", {}).get("inboxgraph.playground", [])
    )
    shipped = {
        Path(match)
        for pattern in patterns
        for match in glob.glob(pattern, root_dir=PACKAGE_DIR, recursive=True)
        if (PACKAGE_DIR / match).is_file()
    }
    needed = {
        path.relative_to(PACKAGE_DIR)
        for path in [*PACKAGE_DIR.rglob("*"), *(PACKAGE_DIR / "operations").glob("*")]
        if path.is_file() and path.suffix not in {".py", ".pyc"}
    }
    assert needed - shipped == set()
