"""gunicorn settings for one web node (see docs/deployment.md).

    gunicorn -c ops/gunicorn.conf.py gigmarket.wsgi

Bound to localhost: only nginx on the same machine talks to it, which is what makes
TRUST_X_REAL_IP safe. On a multi-node setup bind to the private interface instead
(GUNICORN_BIND=10.0.0.11:8000) and firewall it to the load balancer.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Synchronous workers: the portal is server-rendered and database-bound.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
worker_class = "sync"
# 30 s: exports above EXPORT_SYNC_MAX_ROWS rows run as Celery jobs (gigmarket.core.export_jobs),
# so no request needs longer; nginx waits a little longer so gunicorn's timeout answers first.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then so slow leaks never accumulate.
max_requests = 2000
max_requests_jitter = 200
# Load the app before forking: faster start, and a broken settings module fails at once.
preload_app = True
# Request bodies above nginx's client_max_body_size never reach here; cap headers too.
limit_request_line = 8190
limit_request_fields = 100
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
# Logs go to journald via stdout/stderr. Searches by 身份证号 or mobile are posted, never
# in a URL, and the logger masks any that a hand-typed URL still carries (both logs).
# The access log stays off unless GUNICORN_ACCESS_LOG is set ("-" for stdout, or a file).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
logger_class = "gigmarket.gunicorn_logging.MaskedLogger"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Temporary request files in memory, not on a slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
