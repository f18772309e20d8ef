"""Serving the dashboards: safe Voilà settings, token, loopback only unless asked otherwise."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from jupyter_server.services.kernels.kernelmanager import MappingKernelManager
from traitlets.config.loader import KVArgParseConfigLoader
from voila.configuration import VoilaConfiguration
from voila.execute import VoilaExecutor

from trajecttools import serving
from trajecttools.voila_server import mark_refills

ROOT = Path(__file__).resolve().parents[1]
DASHBOARDS = ROOT / "dashboards"


def test_command_has_the_safe_settings() -> None:
    cmd = serving.build_command(DASHBOARDS, port=9123, token="abc")
    assert cmd[1:4] == ["-m", "trajecttools.voila_server", str(DASHBOARDS.resolve())]
    for option in (
        "--Voila.ip=127.0.0.1",
        "--Voila.port=9123",
        "--Voila.open_browser=False",
        "--Voila.token=abc",
        "--VoilaConfiguration.strip_sources=True",
        "--VoilaConfiguration.show_tracebacks=False",
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        "--VoilaConfiguration.template=trajecttools",
        "--MappingKernelManager.cull_idle_timeout=3600",
        "--MappingKernelManager.cull_interval=300",
        "--DashboardVoila.open_when_ready=False",
        f"--Voila.config_file_paths={DASHBOARDS.resolve()}",
    ):
        assert option in cmd, option
    assert not any("progressive_rendering" in o or "debug" in o for o in cmd)


def test_dashboards_folder_preheats_kernels() -> None:
    config = json.loads((DASHBOARDS / "voila.json").read_text("utf-8"))
    assert config["VoilaConfiguration"]["preheat_kernel"] is True
    pools = config["VoilaKernelManager"]["kernel_pools_config"]
    assert pools["default"]["pool_size"] == 1
    # the MDO is opened by several people at the start of a meeting; a kernel costs 350 MB
    assert pools["mdo.ipynb"]["pool_size"] == 2
    # the refill waits until the visitor's page is up (bench_dashboard: 4.3-5.4 s -> 3.1-3.6 s)
    assert 2 <= config["VoilaKernelManager"]["fill_delay"] <= 10


def test_environment_hands_the_register_and_template_to_voila() -> None:
    env = serving.environment("sqlite:////tmp/x.db", base={"JUPYTER_PATH": "/elders"})
    assert env["TRAJECTTOOLS_DATABASE_URL"] == "sqlite:////tmp/x.db"
    first, rest = env["JUPYTER_PATH"].split(":", 1)
    assert rest == "/elders"
    template = Path(first) / "voila" / "templates" / serving.TEMPLATE
    assert (template / "index.html.j2").is_file() and (template / "conf.json").is_file()
    page = (template / "index.html.j2").read_text("utf-8")
    assert "Verbinding met de server verbroken" in page
    assert "fontawesome" not in page.lower()


@pytest.mark.parametrize("ip", ["0.0.0.0", "192.168.1.20", "::", "mijnserver"])
def test_serve_refuses_a_public_address_without_token(ip: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code = serving.serve("sqlite:///x.db", dashboards_dir=DASHBOARDS, ip=ip, port=9)
    assert code == 2
    err = capsys.readouterr().err
    assert "Weigering" in err and "--allow-remote" in err


@pytest.mark.parametrize("ip", ["127.0.0.1", "localhost", "::1", "127.0.0.2"])
def test_loopback_addresses(ip: str) -> None:
    assert serving.is_loopback(ip)
    serving.check_bind(ip, None, False)


def test_remote_needs_a_token_or_permission() -> None:
    serving.check_bind("0.0.0.0", "eigen-token", False)
    serving.check_bind("0.0.0.0", None, True)
    with pytest.raises(serving.ServingError):
        serving.check_bind("10.0.0.1", None, False)


def test_missing_dashboards_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert serving.serve("sqlite:///x.db", dashboards_dir=tmp_path / "nergens") == 2
    assert "bestaat niet" in capsys.readouterr().err


def test_a_short_cull_time_is_looked_for_often() -> None:
    cmd = serving.build_command(DASHBOARDS, cull_idle_timeout=60)
    assert "--MappingKernelManager.cull_idle_timeout=60" in cmd
    assert "--MappingKernelManager.cull_interval=15" in cmd


def test_serve_refuses_a_cull_time_under_ten_seconds(capsys: pytest.CaptureFixture[str]) -> None:
    assert serving.serve("sqlite:///x.db", dashboards_dir=DASHBOARDS, cull_idle_timeout=5) == 2
    assert "--cull-idle" in capsys.readouterr().err


def test_ready_lines_name_the_address_and_the_mdo() -> None:
    lines = serving.ready_lines("127.0.0.1", 8866, "t", DASHBOARDS)
    assert lines[0] == f"{serving.READY_TEXT} http://127.0.0.1:8866/?token=t"
    assert lines[1] == "MDO-overleg: http://127.0.0.1:8866/voila/render/mdo.ipynb?token=t"
    assert not any("andere computers" in line for line in lines)
    assert any("andere computers" in line
               for line in serving.ready_lines("0.0.0.0", 8866, "t", DASHBOARDS))


def test_url_carries_the_token() -> None:
    url = serving.dashboard_url("127.0.0.1", 8866, "a/b", "voila/render/mdo.ipynb")
    assert url == "http://127.0.0.1:8866/voila/render/mdo.ipynb?token=a%2Fb"
    assert serving.dashboard_url("::1", 8866, None) == "http://[::1]:8866/"


def test_hub_pools_are_read_from_the_setting() -> None:
    assert serving.hub_pools(serving.HUB_POOLS) == {"dashboards/mdo.ipynb": 1}
    assert serving.hub_pools(" dashboards/mdo.ipynb = 2 ,notebooks/follow_up.ipynb=0,") == {
        "dashboards/mdo.ipynb": 2, "notebooks/follow_up.ipynb": 0}
    assert serving.hub_pools("") == {}


@pytest.mark.parametrize("text", ["dashboards/mdo.ipynb", "mdo=1", "dashboards/mdo.ipynb=een",
                                  "dashboards/mdo.ipynb=-1"])
def test_a_wrong_hub_pool_is_named(text: str) -> None:
    with pytest.raises(ValueError, match=r"geen 'map/pagina\.ipynb=aantal'") as caught:
        serving.hub_pools(f"dashboards/monitoring.ipynb=1,{text}")
    assert repr(text) in str(caught.value)


def test_hub_pools_preheat_only_the_named_pages(tmp_path: Path) -> None:
    folder = serving.write_hub_pools(tmp_path / "voila", {"dashboards/mdo.ipynb": 1})
    config = json.loads((folder / "voila.json").read_text("utf-8"))
    assert config["VoilaConfiguration"]["preheat_kernel"] is True
    assert config["VoilaKernelManager"]["kernel_pools_config"] == {
        "default": {"pool_size": 0}, "dashboards/mdo.ipynb": {"pool_size": 1}}
    assert config["VoilaKernelManager"]["fill_delay"] == serving.HUB_FILL_DELAY


def test_hub_app_runs_the_safe_preheated_voila_behind_a_token(tmp_path: Path) -> None:
    app = serving.hub_app(tmp_path, tmp_path / "voila", "geheim", cull_idle_timeout=600)
    cmd = app["command"]
    assert cmd[1:3] == ["-m", serving.SERVER_MODULE] and cmd[3] == str(tmp_path.resolve())
    # jupyter-server-proxy fills in the port and the user's base URL
    assert "--Voila.port={port}" in cmd and "--Voila.base_url={base_url}trajecttools/" in cmd
    assert "--Voila.ip=127.0.0.1" in cmd and "--Voila.token=geheim" in cmd
    assert f"--Voila.config_file_paths={(tmp_path / 'voila').resolve()}" in cmd
    assert set(serving.safe_options(600)) <= set(cmd)
    assert "--DashboardVoila.announce=False" in cmd  # the hub's users never see the token
    assert app["request_headers_override"] == {"Authorization": "token geheim"}
    assert app["absolute_url"] is True


def test_jupyterlab_only_extensions_stay_out_of_the_pages() -> None:
    """jupyter-server-proxy (the hub extra) brings a JupyterLab extension that fails in a
    dashboard page (it needs JupyterLab's file browser); Voilà reads the option as a list."""
    options = [o for o in serving.safe_options() if o.startswith("--VoilaConfiguration.")]
    config = KVArgParseConfigLoader(options, classes=[VoilaConfiguration]).load_config()
    assert VoilaConfiguration(config=config).extension_denylist == [
        "@jupyterhub/jupyter-server-proxy"]


def test_a_slow_server_waits_for_a_pages_last_output() -> None:
    """Voilà's executor (nbclient) waits 4 s for a cell's output after the cell is done, then
    drops what comes later: on a busy server the dashboard's widgets never reached the page.
    The settings give it :data:`serving.IOPUB_TIMEOUT` seconds, as Voilà's executor reads them."""
    options = [o for o in serving.safe_options() if o.startswith("--VoilaExecutor.")]
    assert options == [f"--VoilaExecutor.iopub_timeout={serving.IOPUB_TIMEOUT}"]
    config = KVArgParseConfigLoader(options, classes=[VoilaExecutor]).load_config()
    executor = VoilaExecutor(nbformat.v4.new_notebook(), config=config)
    assert executor.iopub_timeout == serving.IOPUB_TIMEOUT > 4


def test_a_server_without_preheated_kernels_has_no_refills_to_mark() -> None:
    """Voilà without ``preheat_kernel`` uses a kernel manager without pools (the form notebooks'
    servers in the browser tests start that way)."""
    manager = MappingKernelManager()
    mark_refills(manager)
    assert not hasattr(manager, "fill_if_needed")
