"""JupyterHub for the course on one machine: an instructor and students as system users.

Run it as root, from a folder for the hub's state (its database and cookie secret):

    cd /srv/jupyterhub
    /path/to/course/.venv/bin/jupyterhub -f /path/to/course/classroom/jupyterhub_config.py \\
        --ip 127.0.0.1 --port 8000

`tests/test_classroom.py` runs exactly this file; `docs/jupyterhub.md` explains it and the same
setup on Zero to JupyterHub for a large class.

- **Accounts** are the machine's users, checked by PAM (the ``login`` service: the user's
  own Unix password). A user may log in if they belong to one of two Unix groups:
  ``diffprog-instructors`` or ``diffprog-students``. The hub runs as root because PAM reads
  ``/etc/shadow`` and each server runs as its user.
- **Servers**: ``LocalProcessSpawner`` starts each user's JupyterLab as that user, in their
  home folder, with the course environment the hub itself runs in (``sys.executable``'s
  folder, the course's ``.venv``), which every user must be able to read.
- **Who sees what**: each server gets the course's own JupyterLab settings, the folder
  ``jupyter/`` that ``make lab`` and Binder use too (lessons open as notebooks; nbgrader's
  students' tools only: no formgrader, no *Create Assignment*), and members of
  ``diffprog-instructors`` get ``jupyter/instructor/`` on top (the formgrader and *Create
  Assignment* back). Before both comes ``classroom/jupyter/<role>/nbgrader_config.py``, which
  points nbgrader at the exchange (and, for instructors, at their course folder). All of it
  goes on ``JUPYTER_CONFIG_PATH``, so it overrides the environment's ``.venv/etc/jupyter``.
- **The exchange**: nbgrader's default exchange, a folder everyone may write to
  (``mkdir -p /srv/nbgrader/exchange && chmod 1777 /srv/nbgrader/exchange``), named by
  ``DIFFPROG_EXCHANGE`` (default ``/srv/nbgrader/exchange``); the course id is ``diffprog``.
  An instructor's course folder is ``~/diffprog`` (a copy of ``notebooks/``), or
  ``DIFFPROG_COURSE``.
- **The proxy**: configurable-http-proxy from npm, installed into ``classroom/node_modules``
  by ``npm ci`` in ``classroom/`` (pinned in ``package.json`` and ``package-lock.json``).
"""

import grp
import os
import pwd
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETTINGS = HERE.parent / "jupyter"  # the course's JupyterLab settings (make lab, Binder)
BIN = Path(sys.executable).parent  # the course environment the hub runs in
INSTRUCTORS = "diffprog-instructors"
STUDENTS = "diffprog-students"
EXCHANGE = os.environ.get("DIFFPROG_EXCHANGE", "/srv/nbgrader/exchange")
PROXY = HERE / "node_modules" / ".bin" / "configurable-http-proxy"

c = get_config()  # noqa: F821  (JupyterHub provides get_config)

if not PROXY.exists():
    sys.exit(
        f"configurable-http-proxy is not installed ({PROXY} is missing): "
        f"run 'npm ci' in {HERE} (Node.js 20 or newer)"
    )
if not os.path.isdir(EXCHANGE):
    sys.exit(
        f"nbgrader's exchange {EXCHANGE} does not exist: "
        f"mkdir -p {EXCHANGE} && chmod 1777 {EXCHANGE} (or set DIFFPROG_EXCHANGE)"
    )


def in_group(user: str, group: str) -> bool:
    """Whether the Unix user belongs to the group (as primary or supplementary group)."""
    try:
        gid = grp.getgrnam(group).gr_gid
        return gid in os.getgrouplist(user, pwd.getpwnam(user).pw_gid)
    except KeyError:
        return False


def config_path(user: str) -> str:
    """JUPYTER_CONFIG_PATH for a user's server, highest priority first."""
    if in_group(user, INSTRUCTORS):
        folders = [HERE / "jupyter" / "instructor", SETTINGS / "instructor", SETTINGS]
    else:
        folders = [HERE / "jupyter" / "student", SETTINGS]
    return os.pathsep.join(map(str, folders))


# Accounts: the machine's users (PAM), members of the course's two groups only.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False  # no login session (utmp, systemd) per server
c.LocalAuthenticator.allowed_groups = {INSTRUCTORS, STUDENTS}

# Servers: one process per user, as that user, in their home folder.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120  # a cold JupyterLab on a small machine
c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "PATH": f"{BIN}{os.pathsep}/usr/local/bin{os.pathsep}/usr/bin{os.pathsep}/bin",
    "LANG": "C.UTF-8",
    "JUPYTER_CONFIG_PATH": lambda spawner: config_path(spawner.user.name),
    "DIFFPROG_EXCHANGE": EXCHANGE,
}

# The proxy: configurable-http-proxy from classroom/node_modules.
c.ConfigurableHTTPProxy.command = [str(PROXY)]
