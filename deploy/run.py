"""Run the atlas as several Streamlit processes behind nginx on one machine, without root.

    .venv/bin/python -m deploy.run --port 8080 --app-ports 8501 8502 8503
    .venv/bin/python -m deploy.run --print-site --app-ports 8501 8502 > /etc/nginx/sites-available/atlas

It starts one `python -m components.serve --server.port N --server.headless true` (`streamlit run app.py` with the data loaded first) per app port (on 127.0.0.1),
waits until each answers `/_stcore/health`, writes an nginx configuration into a fresh folder (pid file,
logs and temporary files there too) and runs nginx in the foreground in front of them, listening on
127.0.0.1:<port>. Ctrl-C (or SIGTERM) stops nginx and every app process. See deploy/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import getpass
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from components.assets import STATIC_DIR
from deploy.nginx import HEALTH_ROUTE, site_config, standalone_config

ROOT = Path(__file__).resolve().parent.parent
NGINX_CANDIDATES = ("/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx")
LOOPBACK = "127.0.0.1"
STOP_TIMEOUT = 15.0


@dataclass(frozen=True)
class Proxy:
    url: str  # where readers connect: http://127.0.0.1:<port>
    backends: tuple[str, ...]  # host:port of each app process, in route order (route n is backends[n - 1])
    access_log: Path
    error_log: Path


def nginx_path() -> str | None:
    """The nginx binary: $NGINX, then PATH, then Debian's /usr/sbin/nginx (not on an ordinary user's PATH)."""
    configured = os.environ.get("NGINX")
    if configured:
        return configured if Path(configured).exists() else None
    return shutil.which("nginx") or next((c for c in NGINX_CANDIDATES if Path(c).exists()), None)


def wait_until_healthy(url: str, process: subprocess.Popen, what: str, timeout: float) -> None:
    """Poll `url` until it answers 200; stop early, naming `what`, if `process` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode} before it answered {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{what} did not answer {url} within {timeout:.0f} s")


def stop(processes: Sequence[subprocess.Popen], timeout: float = STOP_TIMEOUT) -> None:
    """Ask every process to stop, then kill the ones still running after `timeout` seconds."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + timeout
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def app_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "components.serve",  # streamlit run app.py, with the page's modules and data loaded first
        "--server.port",
        str(port),
        "--server.address",
        LOOPBACK,
        "--server.headless",
        "true",
    ]


@contextlib.contextmanager
def running_apps(
    ports: Sequence[int], logs: Path, env: Mapping[str, str] | None = None, timeout: float = 90
) -> Iterator[list[subprocess.Popen]]:
    """Start one app process per port (output in `logs/app-<port>.log`); yield them once all are healthy."""
    processes: list[subprocess.Popen] = []
    try:
        for port in ports:
            with open(logs / f"app-{port}.log", "wb") as log:
                processes.append(
                    subprocess.Popen(
                        app_command(port),
                        cwd=ROOT,
                        env={**os.environ, **(env or {})},
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        start_new_session=True,  # Ctrl-C reaches only this runner, which stops them in order
                    )
                )
        for port, process in zip(ports, processes):
            wait_until_healthy(f"http://{LOOPBACK}:{port}{HEALTH_ROUTE}", process, f"the app on port {port}", timeout)
        yield processes
    finally:
        stop(processes)


def write_config(folder: Path, port: int, backends: Sequence[str], static_dir: Path = STATIC_DIR) -> Proxy:
    """Write `folder/nginx.conf` (nginx on 127.0.0.1:`port` in front of `backends`) and its folders."""
    (folder / "temp").mkdir(parents=True, exist_ok=True)
    access_log = folder / "access.log"
    site = site_config(
        backends,
        listen=f"{LOOPBACK}:{port}",
        access_log=str(access_log),
        static_dir=static_dir,
    )
    # Started as root, nginx would hand its workers to `nobody`, who may not read this folder or the app's
    # static/; keep them as the user who started it (nginx switches users only when started as root).
    user = getpass.getuser() if os.geteuid() == 0 else None
    (folder / "nginx.conf").write_text(standalone_config(site, folder, user=user), encoding="utf-8")
    return Proxy(f"http://{LOOPBACK}:{port}", tuple(backends), access_log, folder / "error.log")


@contextlib.contextmanager
def running_nginx(proxy: Proxy, folder: Path, timeout: float = 20) -> Iterator[subprocess.Popen]:
    """Run nginx in the foreground with `folder/nginx.conf`; yield it once it answers; stop it."""
    binary = nginx_path()
    if binary is None:
        raise RuntimeError("nginx was not found (install Debian's `nginx-light` or `nginx` package, or set $NGINX)")
    command = [binary, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-e", str(proxy.error_log)]
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True, timeout=timeout)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx rejected {folder / 'nginx.conf'}: {checked.stderr.strip()}")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        _wait_until_listening(proxy, process, timeout)
        yield process
    finally:
        stop([process])  # SIGTERM: nginx's fast shutdown, which also closes open WebSockets


def _wait_until_listening(proxy: Proxy, process: subprocess.Popen, timeout: float) -> None:
    """Wait until nginx accepts connections. Any answer will do: the app processes may be stubs here."""
    deadline = time.monotonic() + timeout
    host, port = proxy.url.removeprefix("http://").split(":")
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors = proxy.error_log.read_text(encoding="utf-8", errors="replace") if proxy.error_log.exists() else ""
            raise RuntimeError(f"nginx exited with code {process.returncode}: {errors.strip()[-2000:]}")
        with contextlib.suppress(OSError), socket.create_connection((host, int(port)), timeout=1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nginx did not listen on {proxy.url} within {timeout:.0f} s")


@dataclass(frozen=True)
class Deployment:
    proxy: Proxy
    apps: tuple[subprocess.Popen, ...]  # in route order
    nginx: subprocess.Popen

    def exited(self) -> list[str]:
        """What has stopped on its own, as `what (exit code)`."""
        named = [("nginx", self.nginx), *((f"the app on {b}", p) for b, p in zip(self.proxy.backends, self.apps))]
        return [f"{what} (exit code {p.returncode})" for what, p in named if p.poll() is not None]


@contextlib.contextmanager
def running_deployment(
    port: int, app_ports: Sequence[int], folder: Path, env: Mapping[str, str] | None = None
) -> Iterator[Deployment]:
    """The app on every port in `app_ports` behind nginx on `port`; yields them all; stops everything."""
    proxy = write_config(folder, port, [f"{LOOPBACK}:{p}" for p in app_ports])
    with running_apps(app_ports, folder, env) as apps, running_nginx(proxy, folder) as nginx:
        yield Deployment(proxy, tuple(apps), nginx)


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m deploy.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080, help="where nginx listens on 127.0.0.1 (default 8080)")
    parser.add_argument(
        "--app-ports", type=int, nargs="+", default=[8501, 8502], help="one app process per port (default 8501 8502)"
    )
    parser.add_argument("--dir", type=Path, help="folder for nginx.conf, logs and temporary files (default: a new one)")
    site = parser.add_argument_group("--print-site: a configuration for an installed nginx instead of running")
    site.add_argument("--print-site", action="store_true", help="print the site configuration and exit")
    site.add_argument("--listen", default="80", help="nginx's listen value (default 80)")
    site.add_argument("--backends", nargs="+", help="the app processes as host:port (default: 127.0.0.1:<app port>)")
    site.add_argument(
        "--static-dir", type=Path, default=STATIC_DIR, help="the app's static/ folder (default: this one)"
    )
    site.add_argument("--access-log", default="/var/log/nginx/atlas.access.log", help="the access log's path")
    args = parser.parse_args(argv)
    for value in [args.port, *args.app_ports]:
        if not 0 < value < 65536:
            parser.error(f"expected ports between 1 and 65535, got {value}")
    if len(set(args.app_ports)) != len(args.app_ports) or args.port in args.app_ports:
        parser.error(f"expected different ports for nginx and each app process, got {args.port} and {args.app_ports}")
    return args


def print_site(args: argparse.Namespace, argv: Sequence[str]) -> None:
    backends = args.backends or [f"{LOOPBACK}:{p}" for p in args.app_ports]
    site = site_config(backends, listen=args.listen, static_dir=args.static_dir, access_log=args.access_log)
    print(f"# Generated by: python -m deploy.run {shlex.join(argv)}\n{site}", end="")


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parse(argv)
    if args.print_site:
        try:
            print_site(args, argv)
        except ValueError as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
        return 0
    folder = args.dir or Path(tempfile.mkdtemp(prefix="atlas-deploy-"))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # run the clean-up below on SIGTERM too
    signal.signal(signal.SIGINT, signal.default_int_handler)  # and on Ctrl-C, even when started in the background
    try:
        with running_deployment(args.port, args.app_ports, folder) as deployment:
            proxy = deployment.proxy
            print(f"The atlas: {proxy.url} (app processes on {', '.join(proxy.backends)}; logs in {folder})")
            print("Ctrl-C stops nginx and the app processes.", flush=True)
            while not deployment.exited():
                time.sleep(1)
            print(f"error: {', '.join(deployment.exited())} stopped; stopping the rest", file=sys.stderr)
            return 1
    except KeyboardInterrupt:
        return 0
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
