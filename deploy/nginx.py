"""The nginx configuration that puts one address in front of several Streamlit processes of the atlas.

A Streamlit session lives in one process (its widgets' state, its WebSocket, the files behind its download
buttons at `/media/…`), so every request of a reader must reach the process that holds the reader's
session. The proxy deals new readers to the processes in turn and pins each reader to the process that
answered with a cookie (`atlas_route=<n>`, the process's number); a cookie that names no process counts as
none, so a reader cannot choose an address. When a reader's process is down, the next one answers and the
cookie is re-pinned to it. The map's data files are read by nginx straight from the shared `static/` folder
(every process writes the same content-hashed files there, components/assets.py).

`site_config` is what goes into Debian's `/etc/nginx/sites-available/` (inside nginx's `http` block);
`standalone_config` wraps it into a whole configuration that an ordinary user can run
(`nginx -p <prefix> -c <conf>`, deploy/run.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from components.assets import STATIC_DIR, VERSIONED

ROUTE_COOKIE = "atlas_route"
STATIC_ROUTE = "/app/static/"  # where Streamlit serves `static/` (server.enableStaticServing)
WEBSOCKET_ROUTE = "/_stcore/stream"
HEALTH_ROUTE = "/_stcore/health"
# Streamlit pings every WebSocket every 30 s, so a live one is never idle this long; a dead one is dropped.
WEBSOCKET_IDLE_TIMEOUT = "10m"
LOG_FORMAT_NAME = "atlas"
# One access-log line per request: which process answered (`-` when nginx served it itself) and the route
# cookie the browser sent, so the spread of readers over the processes can be read from the log.
LOG_FORMAT = (
    '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
    f'upstream=$upstream_addr route="$cookie_{ROUTE_COOKIE}" request_time=$request_time'
)
TYPES = {
    "text/html": "html htm",
    "text/css": "css",
    "text/plain": "txt",
    "application/javascript": "js mjs",
    "application/json": "json geojson",
    "image/png": "png",
    "image/svg+xml": "svg",
    "image/jpeg": "jpg jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
    "font/woff2": "woff2",
    "font/woff": "woff",
}


def _backend_group(number: int) -> str:
    return f"atlas_{number}"


def _quoted(text: str, suffix: str = "") -> str:
    """`text` in double quotes, then `suffix` (nginx variables, written by this module)."""
    if any(c in text for c in '"\\\n;{}$'):
        raise ValueError(f"cannot write {text!r} into an nginx configuration; expected a plain path")
    return f'"{text}{suffix}"'


def check_backends(backends: Sequence[str]) -> list[str]:
    """The app processes as `host:port`; at least one, no repeats."""
    if not backends:
        raise ValueError("expected at least one app process (host:port), got none")
    for backend in backends:
        if not re.fullmatch(r"[A-Za-z0-9._-]+:[0-9]{1,5}", backend):
            raise ValueError(f"expected an app process as host:port (for example 127.0.0.1:8501), got {backend!r}")
    if len(set(backends)) != len(backends):
        raise ValueError(f"expected each app process once, got {list(backends)}")
    return list(backends)


def upstreams(backends: Sequence[str]) -> str:
    """`atlas_pool` (new readers, in turn) and `atlas_<n>` (readers pinned to process n, with the others as
    backups for when it is down). `zone` shares the turn and the failure counts between nginx's workers."""
    servers = "".join(f"    server {b} max_fails=1 fail_timeout=10s;\n" for b in backends)
    blocks = [f"upstream atlas_pool {{\n    zone atlas_pool 64k;\n{servers}    keepalive 16;\n}}\n"]
    for number, backend in enumerate(backends, start=1):
        backups = "".join(f"    server {b} backup;\n" for b in backends if b != backend)
        blocks.append(
            f"upstream {_backend_group(number)} {{\n    zone {_backend_group(number)} 64k;\n"
            f"    server {backend} max_fails=1 fail_timeout=10s;\n{backups}    keepalive 16;\n}}\n"
        )
    return "\n".join(blocks)


def route_maps(backends: Sequence[str]) -> str:
    """Cookie -> upstream group; the process that answered -> its number; and the cookie to set when the
    browser's cookie does not name the process that answered (an empty value sends no header)."""
    routes = "".join(f"    {n} {_backend_group(n)};\n" for n in range(1, len(backends) + 1))
    answered = "".join(f'    "~(^|, ){re.escape(b)}$" {n};\n' for n, b in enumerate(backends, start=1))
    return (
        "# The route cookie picks the upstream group; anything else goes to the pool.\n"
        f"map $cookie_{ROUTE_COOKIE} $atlas_upstream {{\n    default atlas_pool;\n{routes}}}\n\n"
        "# Which process answered: after a failed try $upstream_addr lists every address tried, the last answered.\n"
        f'map $upstream_addr $atlas_answered {{\n    default "";\n{answered}}}\n\n'
        "# Set the cookie only when it does not already name the process that answered.\n"
        f'map "$cookie_{ROUTE_COOKIE}:$atlas_answered" $atlas_set_cookie {{\n'
        f'    default "{ROUTE_COOKIE}=$atlas_answered; Path=/; HttpOnly; SameSite=Lax";\n'
        '    "~^([^:]*):\\1$" "";  # the cookie already names the process that answered\n'
        '    "~:$" "";  # nginx answered by itself\n'
        "}\n\n"
        'map $http_upgrade $atlas_connection_upgrade {\n    default upgrade;\n    "" "";\n}\n'
    )


def _proxy_settings(indent: str, websocket: bool = False) -> str:
    connection = "$atlas_connection_upgrade" if websocket else '""'  # "" keeps upstream connections alive
    lines = [
        "proxy_pass http://$atlas_upstream;",
        "proxy_http_version 1.1;",
        "proxy_set_header Host $http_host;",
        "proxy_set_header X-Real-IP $remote_addr;",
        "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
        "proxy_set_header X-Forwarded-Proto $scheme;",
        f"proxy_set_header Connection {connection};",
        *(["proxy_set_header Upgrade $http_upgrade;"] if websocket else []),
        "add_header Set-Cookie $atlas_set_cookie;",
    ]
    return "".join(f"{indent}{line}\n" for line in lines)


def _static_locations(static_dir: Path, indent: str) -> str:
    folder = str(static_dir.resolve()).rstrip("/") + "/"
    hashed = VERSIONED.pattern.removeprefix("^").removesuffix("$")
    return (
        f"{indent}# The map's scripts, styles and data, read from disk (every process writes the same files).\n"
        f'{indent}location ~ "^{STATIC_ROUTE}(.*/)?\\." {{\n{indent}    return 404;  # temporary files being written\n{indent}}}\n'
        f'{indent}location ~ "^{STATIC_ROUTE}(?<atlas_hashed>atlas/{hashed})$" {{\n'
        f"{indent}    # Named by their content: a new data version gets a new name, so browsers may keep these.\n"
        f"{indent}    alias {_quoted(folder, '$atlas_hashed')};\n"
        f'{indent}    add_header Cache-Control "public, max-age=31536000, immutable";\n'
        f"{indent}    add_header X-Content-Type-Options nosniff;\n"
        f"{indent}}}\n"
        f"{indent}location {STATIC_ROUTE} {{\n"
        f"{indent}    alias {_quoted(folder)};\n"
        f'{indent}    add_header Cache-Control "no-cache";  # same names after an update: revalidate\n'
        f"{indent}    add_header X-Content-Type-Options nosniff;\n"
        f"{indent}}}\n"
    )


def server_block(listen: str, static_dir: Path, access_log: str, server_name: str = "_") -> str:
    indent = "    "
    types = "".join(f"        {mime} {extensions};\n" for mime, extensions in TYPES.items())
    return (
        "server {\n"
        f"    listen {listen};\n"
        f"    server_name {server_name};\n"
        f"    access_log {_quoted(access_log)} {LOG_FORMAT_NAME};\n"
        "    client_max_body_size 20m;\n"
        f"    types {{\n{types}    }}\n"
        "    default_type application/octet-stream;\n"
        "    gzip on;\n"
        "    gzip_types text/css application/javascript application/json image/svg+xml;\n"
        "    gzip_min_length 1024;\n"
        "    gzip_vary on;\n\n"
        f"{_static_locations(static_dir, indent)}\n"
        f"    # Streamlit's WebSocket: upgraded, unbuffered, kept open while the reader has the page.\n"
        f"    location {WEBSOCKET_ROUTE} {{\n"
        f"{_proxy_settings(indent * 2, websocket=True)}"
        "        proxy_buffering off;\n"
        f"        proxy_read_timeout {WEBSOCKET_IDLE_TIMEOUT};\n"
        f"        proxy_send_timeout {WEBSOCKET_IDLE_TIMEOUT};\n"
        "    }\n\n"
        "    # For a monitor (and the page's own reconnect check): answers while the reader's process, or the\n"
        "    # next one, is up.\n"
        f"    location = {HEALTH_ROUTE} {{\n"
        f"{_proxy_settings(indent * 2)}"
        "        proxy_connect_timeout 2s;\n"
        "        proxy_read_timeout 5s;\n"
        "    }\n\n"
        "    # The page, Streamlit's own scripts, the map component's frame and the downloads (/media/).\n"
        "    location / {\n"
        f"{_proxy_settings(indent * 2)}"
        "        proxy_connect_timeout 5s;\n"
        "        proxy_read_timeout 120s;  # a large download is built before its first byte\n"
        "    }\n"
        "}\n"
    )


def site_config(
    backends: Sequence[str],
    listen: str = "80",
    static_dir: Path = STATIC_DIR,
    access_log: str = "/var/log/nginx/atlas.access.log",
    server_name: str = "_",
) -> str:
    """The atlas's part of an nginx configuration (upstreams, maps, one server), valid inside `http {}`."""
    checked = check_backends(backends)
    return (
        "# The atlas behind nginx (deploy/nginx.py); see deploy/README.md.\n"
        f"log_format {LOG_FORMAT_NAME} '{LOG_FORMAT}';\n\n"
        f"{upstreams(checked)}\n{route_maps(checked)}\n"
        f"{server_block(listen, static_dir, access_log, server_name)}"
    )


def standalone_config(site: str, prefix: Path, user: str | None = None) -> str:
    """A whole configuration around `site` for `nginx -p <prefix> -c <conf>`: in the foreground, with its pid
    file, error log and temporary files under `prefix`, so it needs neither root nor /etc/nginx.
    `user` is needed only when started as root (nginx then switches its workers to that user)."""
    temp = prefix / "temp"
    paths = "".join(
        f"    {kind}_temp_path {_quoted(str(temp / kind))};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        "daemon off;\n"
        "worker_processes 2;\n" + (f"user {user};\n" if user else "") + f"pid {_quoted(str(prefix / 'nginx.pid'))};\n"
        f"error_log {_quoted(str(prefix / 'error.log'))} warn;\n\n"
        "events {\n    worker_connections 1024;\n}\n\n"
        "http {\n"
        "    sendfile on;\n"
        "    default_type application/octet-stream;\n"
        f"{paths}\n" + "".join(f"    {line}\n" if line else "\n" for line in site.splitlines()) + "}\n"
    )
