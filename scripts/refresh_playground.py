"""Refresh the playground's browser files from the npm registry.

GraphiQL, React, ReactDOM and GraphiQL's explorer plugin are served by inboxgraph itself
(inboxgraph/playground/static/vendor/), so the playground works on networks that cannot
reach a CDN. This script is how those files change: each package is pinned below to one
exact version, `npm pack` downloads its tarball (npm checks it against the registry's
integrity), and the pinned files are copied out with the package's license. The
tarball's integrity and each copied file's SHA-256 are written to vendor/manifest.json;
a test checks the vendored files against it, and a later refresh of the same version
refuses a tarball whose integrity differs from the recorded one.

graphiql.min.js also bundles some seventy npm packages (CodeMirror, markdown-it, graphql,
Radix UI, ...). Their names come from the build's own source map; their license texts from
an `npm install` of the pinned graphiql, and land in vendor/graphiql/THIRD_PARTY_NOTICES.

    python3 scripts/refresh_playground.py            # write the pinned versions
    python3 scripts/refresh_playground.py --dry-run  # download and report, write nothing

To upgrade, change the versions in PINS (keep graphiql and @graphiql/plugin-explorer on
the same @graphiql/react minor, and React at 18: GraphiQL 3 needs its UMD builds), run
the script, then the browser test (tests/browser/).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
VENDOR_DIR = REPO_ROOT / "inboxgraph" / "playground" / "static" / "vendor"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Pin:
    """One npm package at one exact version, and what of its tarball is vendored."""

    name: str
    version: str
    #: Folder under vendor/ that receives the files.
    folder: str
    #: Path inside the tarball's `package/` -> file name in the folder.
    files: dict[str, str] = field(default_factory=dict)
    #: Where the license text comes from: the tarball's own LICENSE when None, else the
    #: name of another pin whose LICENSE covers this package too (same repository).
    license_from: str | None = None
    #: The name the license is written under in the folder.
    license_file: str = "LICENSE"
    note: str = ""


PINS = (
    Pin(
        "react",
        "18.3.1",
        "react",
        {"umd/react.production.min.js": "react.production.min.js"},
        note="React 18 is the last major with UMD builds, which GraphiQL 3 loads as globals.",
    ),
    Pin(
        "react-dom",
        "18.3.1",
        "react-dom",
        {"umd/react-dom.production.min.js": "react-dom.production.min.js"},
    ),
    Pin(
        "graphiql",
        "3.9.0",
        "graphiql",
        {"graphiql.min.js": "graphiql.min.js", "graphiql.min.css": "graphiql.min.css"},
        note="The last GraphiQL with a UMD build (4 and later ship ES modules only).",
    ),
    Pin(
        "@graphiql/plugin-explorer",
        "3.2.6",
        "plugin-explorer",
        {"dist/index.umd.js": "index.umd.js", "dist/style.css": "style.css"},
        license_from="graphiql",
        note=(
            "Published as MIT from the graphql/graphiql repository without a LICENSE file; "
            "LICENSE here is that repository's, as the graphiql package ships it."
        ),
    ),
    Pin(
        "graphiql-explorer",
        "0.9.0",
        "plugin-explorer",
        license_file="LICENSE.graphiql-explorer",
        note="Bundled inside @graphiql/plugin-explorer's index.umd.js; only its license is copied.",
    ),
)


@dataclass(frozen=True)
class Bundle:
    """A vendored file that bundles other npm packages, as its source map names them."""

    pin: str
    source_map: str
    notices: str


BUNDLES = (Bundle("graphiql", "graphiql.min.js.map", "graphiql/THIRD_PARTY_NOTICES"),)
LICENSE_NAMES = ("LICENSE", "LICENCE", "COPYING")


@dataclass(frozen=True)
class Tarball:
    path: Path
    integrity: str

    def read(self, member: str) -> bytes:
        with tarfile.open(self.path, "r:gz") as archive:
            extracted = archive.extractfile(f"package/{member}")
            if extracted is None:
                raise SystemExit(f"{self.path.name}: package/{member} is not a file")
            return extracted.read()


def npm(*args: str, cwd: Path) -> str:
    executable = shutil.which("npm")
    if executable is None:
        raise SystemExit("npm is not on PATH (Node 20+ ships it)")
    done = subprocess.run([executable, *args], capture_output=True, text=True, check=False, cwd=cwd)
    if done.returncode != 0:
        raise SystemExit(f"npm {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout


def npm_pack(pin: Pin, into: Path) -> Tarball:
    packed_json = npm(
        "pack", f"{pin.name}@{pin.version}", "--json", "--pack-destination", str(into), cwd=into
    )
    [packed] = json.loads(packed_json)
    if packed["version"] != pin.version:
        raise SystemExit(f"npm pack gave {pin.name}@{packed['version']}, not {pin.version}")
    return Tarball(into / packed["filename"], packed["integrity"])


def recorded_integrity(pin: Pin) -> str | None:
    """The integrity recorded for this exact version by an earlier refresh, if any."""
    manifest = VENDOR_DIR / MANIFEST
    if not manifest.exists():
        return None
    for entry in json.loads(manifest.read_text())["packages"]:
        if entry["name"] == pin.name and entry["version"] == pin.version:
            integrity: str = entry["integrity"]
            return integrity
    return None


def bundled_packages(source_map: bytes) -> list[str]:
    """The npm packages whose sources a build's source map lists (its own are not listed)."""
    names = set()
    for source in json.loads(source_map)["sources"]:
        _, found, inside = source.rpartition("node_modules/")
        if found:
            parts = inside.split("/")
            names.add("/".join(parts[:2]) if parts[0].startswith("@") else parts[0])
    return sorted(names)


def third_party_notices(pin: Pin, packages: list[str], workdir: Path) -> bytes:
    """Each bundled package's license, read from an `npm install` of the pinned package."""
    tree = workdir / f"tree-{pin.folder}"
    tree.mkdir()
    (tree / "package.json").write_text('{"private": true}\n')
    npm(
        "install", "--ignore-scripts", "--no-audit", "--no-fund", "--omit=dev",
        f"{pin.name}@{pin.version}", cwd=tree,
    )  # fmt: skip
    sections = [
        f"{pin.folder}/ holds {pin.name}@{pin.version}, whose build bundles the npm packages "
        "below. Its own packages from the graphql/graphiql repository (@graphiql/react, "
        "@graphiql/toolkit, codemirror-graphql, graphql-language-service) are under LICENSE "
        "beside this file. Each license below is that of the version npm installs with "
        f"{pin.name}@{pin.version}, or the latest release for a package the build added itself.\n"
    ]
    for name in packages:
        sections.append(_notice(name, tree))
    return "\n".join(sections).encode()


def _notice(name: str, tree: Path) -> str:
    manifests = sorted(tree.rglob(f"node_modules/{name}/package.json"), key=lambda p: len(p.parts))
    if manifests:
        folder = manifests[0].parent
    else:
        # Bundled by the build itself (a helper such as @babel/runtime), so not a dependency:
        # its latest release's license.
        [packed] = json.loads(
            npm("pack", name, "--json", "--pack-destination", str(tree), cwd=tree)
        )
        unpacked = tree / "unpacked" / name
        with tarfile.open(tree / packed["filename"], "r:gz") as archive:
            archive.extractall(unpacked, filter="data")
        folder = unpacked / "package"
    package = json.loads((folder / "package.json").read_text())
    heading = (
        f"{'=' * 79}\n{name}@{package['version']} ({package.get('license', 'no license field')})\n"
    )
    texts = [
        path.read_text(errors="replace").strip()
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name.upper().startswith(LICENSE_NAMES)
    ]
    if not texts:
        texts = [
            f"The package ships no license file; its package.json says {package.get('license')!r}."
        ]
    return heading + "\n\n".join(texts) + "\n"


def collect(workdir: Path) -> tuple[dict[str, bytes], list[dict[str, object]]]:
    """Every vendored file's bytes by path under vendor/, and the manifest's entries."""
    tarballs = {pin.name: npm_pack(pin, workdir) for pin in PINS}
    outputs: dict[str, bytes] = {}
    entries: list[dict[str, object]] = []
    for pin in PINS:
        tarball = tarballs[pin.name]
        known = recorded_integrity(pin)
        if known is not None and known != tarball.integrity:
            raise SystemExit(
                f"{pin.name}@{pin.version}: the registry's tarball ({tarball.integrity}) is "
                f"not the one vendored before ({known}); refusing to replace it silently"
            )
        license_source = tarballs[pin.license_from or pin.name]
        written = {
            f"{pin.folder}/{name}": tarball.read(member) for member, name in pin.files.items()
        }
        written[f"{pin.folder}/{pin.license_file}"] = license_source.read("LICENSE")
        for bundle in BUNDLES:
            if bundle.pin == pin.name:
                packages = bundled_packages(tarball.read(bundle.source_map))
                written[bundle.notices] = third_party_notices(pin, packages, workdir)
        outputs.update(written)
        entries.append(
            {
                "name": pin.name,
                "version": pin.version,
                "integrity": tarball.integrity,
                "note": pin.note,
                "files": {path: hashlib.sha256(data).hexdigest() for path, data in written.items()},
            }
        )
    return outputs, entries


def write(outputs: dict[str, bytes], entries: list[dict[str, object]]) -> None:
    if VENDOR_DIR.exists():
        shutil.rmtree(VENDOR_DIR)
    for path, data in outputs.items():
        target = VENDOR_DIR / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    manifest = {
        "generated_by": "scripts/refresh_playground.py",
        "packages": entries,
    }
    (VENDOR_DIR / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dry-run", action="store_true", help="download and report, but write nothing"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="playground-") as workdir:
        outputs, entries = collect(Path(workdir))
    for entry in entries:
        print(f"{entry['name']}@{entry['version']}  {entry['integrity']}")
    for path, data in sorted(outputs.items()):
        print(f"  {path}  {len(data):,} bytes")
    if not args.dry_run:
        write(outputs, entries)
        print(f"wrote {len(outputs)} files and {MANIFEST} to {VENDOR_DIR.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
