# nginx in front of the app containers (deploy/compose.yaml): Debian's nginx-light, the same nginx as the
# tests use (tests/test_deploy.py), with the compose site configuration deploy/compose/atlas.conf.
FROM debian:bookworm-slim
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light \
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default \
    && ln -sf /dev/stdout /var/log/nginx/access.log \
    && ln -sf /dev/stderr /var/log/nginx/error.log
COPY deploy/compose/atlas.conf /etc/nginx/sites-enabled/atlas
EXPOSE 80
CMD ["nginx", "-g", "daemon off;"]
