"""The files ``wbcourse hub init`` writes: JupyterHub's config and each role's Jupyter config.

Roles and what they see (nbgrader's recommended split, see its "Using nbgrader with
JupyterHub" page):

============  ===============  =========  ==========  =================  ========
role          assignment list  formgrader  course list  create assignment  validate
============  ===============  =========  ==========  =================  ========
learner       yes              no          no           no                 yes
instructor    yes              no          yes          no                 yes
formgrader    no               yes         no           yes                yes
============  ===============  =========  ==========  =================  ========

>>> disabled_lab_extensions("learner")[:2]
['@jupyter/nbgrader:formgrader', '@jupyter/nbgrader:course-list']
>>> server_extensions("formgrader")["nbgrader.server_extensions.formgrader"]
True
"""

from __future__ import annotations

import json
from pathlib import Path

from course.hub.layout import Layout, Settings

#: nbgrader's extensions: (server extension or None, lab plugin, roles that get it)
EXTENSIONS: tuple[tuple[str | None, str, tuple[str, ...]], ...] = (
    ("nbgrader.server_extensions.formgrader", "@jupyter/nbgrader:formgrader",
     ("formgrader",)),
    ("nbgrader.server_extensions.course_list", "@jupyter/nbgrader:course-list",
     ("instructor",)),
    ("nbgrader.server_extensions.assignment_list", "@jupyter/nbgrader:assignment-list",
     ("learner", "instructor")),
    (None, "@jupyter/nbgrader:create-assignment", ("formgrader",)),
    ("nbgrader.server_extensions.validate_assignment", "@jupyter/nbgrader:validate-assignment",
     ("learner", "instructor", "formgrader")),
)
#: Scopes of each server's own API token: nbgrader's JupyterHubAuthPlugin reads the user's
#: groups, and the course list looks the formgrader service up (a user's token only ever
#: gets the part of these its owner holds).
SERVER_TOKEN_SCOPES = ["users:activity!user", "access:servers!server", "read:users:name!user",
                       "read:users:groups!user", "list:services", "read:services"]


def disabled_lab_extensions(role: str) -> list[str]:
    """Lab plugins switched off for ``role``."""
    return [lab for _, lab, roles in EXTENSIONS if role not in roles]


def server_extensions(role: str) -> dict[str, bool]:
    """``ServerApp.jpserver_extensions`` for ``role`` (every nbgrader one named)."""
    found = {server: role in roles for server, _, roles in EXTENSIONS if server}
    found["jupyter_lsp"] = False  # not part of the course; costs start-up time and memory
    return found


def role_files(layout: Layout, settings: Settings) -> dict[Path, str]:
    """Every file under ``DIR/etc``: nbgrader, server and lab settings of each role."""
    files = {layout.common / "nbgrader_config.py": common_nbgrader_config(settings)}
    for role in ("learner", "instructor", "formgrader"):
        folder = layout.role_dir(role)
        server = {"ServerApp": {"jpserver_extensions": server_extensions(role)},
                  # kernels talk to their server over Unix sockets in the user's own runtime
                  # folder: with many kernels starting at once, TCP ports picked at random
                  # collide ("Address already in use") and the kernel never comes up
                  "KernelManager": {"transport": "ipc"}}
        files[folder / "jupyter_server_config.json"] = json.dumps(server, indent=1) + "\n"
        page = {"disabledExtensions": dict.fromkeys(disabled_lab_extensions(role), True)}
        files[folder / "labconfig" / "page_config.json"] = json.dumps(page, indent=1) + "\n"
        files[folder / "nbgrader_config.py"] = role_nbgrader_config(role, settings)
    return files


def common_nbgrader_config(settings: Settings) -> str:
    return f'''"""nbgrader settings every role of the {settings.course} hub reads (learners too)."""

from nbgrader.auth import JupyterHubAuthPlugin

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {settings.course!r}
c.Exchange.root = {settings.exchange!r}
# assignments are fetched into ~/{settings.course}/<module>, as nbgrader's JupyterHub page advises
c.Exchange.path_includes_course = True
# who takes which course comes from the hub's groups nbgrader-<course> and formgrade-<course>
c.Authenticator.plugin_class = JupyterHubAuthPlugin
'''


def role_nbgrader_config(role: str, settings: Settings) -> str:
    head = f'"""nbgrader settings of the {role} role on the {settings.course} hub."""\n\n'
    if role == "learner":
        body = ("c = get_config()  # noqa: F821\n"
                "# submissions readable by their author and the graders only\n"
                'c.ExchangeFactory.submit = "course.hub.exchange.PrivateSubmit"\n')
        if settings.spawner == "simple":
            body = ("import os\n\n" + body +
                    "# every server runs as the hub's user here: name the learner explicitly\n"
                    'c.CourseDirectory.student_id = os.environ.get("JUPYTERHUB_USER", "*")\n')
        return head + body
    if role == "formgrader":
        return head + ("c = get_config()  # noqa: F821\n"
                       "# the course folder's own nbgrader_config.py (the service's working\n"
                       "# folder) sets the source, release and gradebook\n")
    return head + "c = get_config()  # noqa: F821\n"


def workspace_block(settings: Settings) -> str:
    """Lines appended to the grading workspace's ``nbgrader_config.py`` in the course folder."""
    return f'''
# ---- written by 'wbcourse hub init': this workspace grades the {settings.course} hub cohort
c.CourseDirectory.course_id = {settings.course!r}
c.Exchange.root = {settings.exchange!r}
c.Exchange.path_includes_course = True
'''


def jupyterhub_config(layout: Layout, settings: Settings) -> str:
    """The text of ``DIR/jupyterhub_config.py``."""
    simple = settings.spawner == "simple"
    learners = ",\n    ".join(repr(n) for n in settings.learners)
    ssl = ""
    if settings.ssl_cert:
        ssl = (f"c.JupyterHub.ssl_cert = {settings.ssl_cert!r}\n"
               f"c.JupyterHub.ssl_key = {settings.ssl_key!r}\n")
    if simple:
        spawn = '''# ---- LOAD TESTS ONLY: every server runs as the hub's own user; nobody logs in
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = str(HUB_DIR / "homes" / "{username}")
c.Spawner.args = ["--allow-root"]
c.JupyterHub.authenticator_class = "null"
'''
        service_user = ""
        service_args = ', "--allow-root"'
    else:
        spawn = '''# ---- each learner's server runs as their own Unix account
c.JupyterHub.spawner_class = "localprocess"
# PAM checks the accounts' Unix passwords; no PAM session is opened (none is needed)
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.open_sessions = False
'''
        service_user = '    "user": INSTRUCTOR,\n'
        service_args = ""
    return f'''"""JupyterHub for the working-backwards-course cohort {settings.course!r}.

Written by 'wbcourse hub init'; run it with 'wbcourse hub start {layout.root}'.
Put site additions (TLS, another authenticator, limits) in jupyterhub_config.local.py
beside this file: it is loaded last and 'hub init' never writes it.
"""

import os
from pathlib import Path

c = get_config()  # noqa: F821

HUB_DIR = Path(__file__).resolve().parent
COURSE = {settings.course!r}
INSTRUCTOR = {settings.instructor!r}
LEARNERS = [
    {learners},
]
# the environment every server runs from: the course package (no answers), nbgrader, JupyterLab
BIN = {settings.bin_dir!r}
# the instructor's grading workspace (solutions and gradebook; only the instructor can read it)
COURSE_DIR = {settings.course_dir!r}
COURSE_ROOT = {settings.course_root!r}
# nbgrader's exchange (etc/common/nbgrader_config.py names it for every server)
EXCHANGE = {settings.exchange!r}
PATH = BIN + ":/usr/local/bin:/usr/bin:/bin"


def _setting(name, default):
    """'wbcourse hub start' passes the ports it chose; these are the defaults otherwise."""
    return os.environ.get("WBCOURSE_HUB_" + name, str(default))


# ---- network: the proxy's port is the only one users reach
c.JupyterHub.ip = _setting("IP", {settings.ip!r})
c.JupyterHub.port = int(_setting("PORT", {settings.port}))
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(_setting("HUB_PORT", 8081))
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:" + _setting("PROXY_API_PORT", 8001)
c.ConfigurableHTTPProxy.auth_token = (HUB_DIR / "secrets" / "proxy_auth_token").read_text().strip()
c.ConfigurableHTTPProxy.pid_file = str(HUB_DIR / "state" / "proxy.pid")
c.JupyterHub.cookie_secret_file = str(HUB_DIR / "secrets" / "jupyterhub_cookie_secret")
c.JupyterHub.db_url = "sqlite:///" + str(HUB_DIR / "state" / "jupyterhub.sqlite")
c.JupyterHub.pid_file = str(HUB_DIR / "state" / "jupyterhub.pid")
{ssl}
{spawn}
# ---- who may log in: the roster's learners and the instructor
c.Authenticator.allowed_users = set(LEARNERS) | {{INSTRUCTOR}}
c.Authenticator.admin_users = {{INSTRUCTOR}}

# ---- nbgrader's groups: nbgrader-<course> are its students, formgrade-<course> its graders
c.JupyterHub.load_groups = {{
    "nbgrader-" + COURSE: {{"users": LEARNERS}},
    "formgrade-" + COURSE: {{"users": [INSTRUCTOR]}},
}}
c.JupyterHub.load_roles = [{{
    "name": "formgrade-" + COURSE,
    "description": "open the course's formgrader service and find it in the course list",
    "groups": ["formgrade-" + COURSE],
    "scopes": ["access:services!service=" + COURSE, "read:services!service=" + COURSE,
               "list:services"],
}}, {{
    "name": "formgrader-" + COURSE,
    "description": "what nbgrader's JupyterHubAuthPlugin in the formgrader asks the hub: "
                   "users' groups, and adding students to nbgrader-<course>",
    "services": [COURSE],
    "scopes": ["list:users", "read:users:name", "read:users:groups", "list:services",
               "read:services", "list:groups", "read:groups!group=nbgrader-" + COURSE,
               "groups!group=nbgrader-" + COURSE],
}}]

# ---- single-user servers: JupyterLab with the extensions of the user's role
c.Spawner.cmd = [BIN + "/jupyterhub-singleuser"]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# a Jupyter server asks for confirmation on SIGINT; go on to SIGTERM (a clean stop) soon
c.LocalProcessSpawner.interrupt_timeout = 2
c.LocalProcessSpawner.term_timeout = 20
c.Spawner.server_token_scopes = {SERVER_TOKEN_SCOPES!r}


def _role(spawner):
    return "instructor" if spawner.user.name == INSTRUCTOR else "learner"


def _runtime_dir(spawner):
    """A short runtime folder in the user's home: kernels' Unix sockets live there, and a
    socket path must stay under 108 bytes."""
    home = getattr(spawner, "home_dir", "") or os.path.expanduser("~" + spawner.user.name)
    return os.path.join(home, ".jupyter", "runtime")


c.Spawner.environment = {{
    "PATH": PATH,
    "JUPYTER_RUNTIME_DIR": _runtime_dir,
    "JUPYTER_CONFIG_PATH": lambda sp: f"{{HUB_DIR}}/etc/{{_role(sp)}}:{{HUB_DIR}}/etc/common",
    # the instructor's terminal runs wbcourse on their own copy of the course
    "WBCOURSE_ROOT": lambda sp: COURSE_ROOT if _role(sp) == "instructor" else "",
}}
# LocalProcessSpawner cannot enforce these; DockerSpawner and KubeSpawner do:
# c.Spawner.mem_limit = "1G"
# c.Spawner.cpu_limit = 1.0

_INSTRUCTOR_HOME = os.path.expanduser("~" + INSTRUCTOR)
if _INSTRUCTOR_HOME.startswith("~"):  # no such account (load-test mode)
    _INSTRUCTOR_HOME = str(HUB_DIR / "homes" / INSTRUCTOR)

# ---- the formgrader: a hub service named after the course, run as the instructor in the
# course folder; open it at /services/<course>/formgrader
c.JupyterHub.services = [{{
    "name": COURSE,
    "url": "http://127.0.0.1:" + _setting("FORMGRADER_PORT", 9999),
    "command": [BIN + "/jupyterhub-singleuser"{service_args}],
{service_user}    "cwd": COURSE_DIR,
    "environment": {{
        "PATH": PATH,
        "JUPYTER_CONFIG_PATH": f"{{HUB_DIR}}/etc/formgrader:{{HUB_DIR}}/etc/common",
        "WBCOURSE_ROOT": COURSE_ROOT,
        "JUPYTER_RUNTIME_DIR": os.path.join(_INSTRUCTOR_HOME, ".jupyter", "runtime"),
    }},
    "oauth_no_confirm": True,
}}]

# ---- learners in containers instead of Unix accounts (see docs/workshop.md):
# DockerSpawner: an image with the learner environment installed, the exchange mounted
# read-write in every container at the same path:
#   c.JupyterHub.spawner_class = "docker"
#   c.DockerSpawner.image = "registry.example.org/wbcourse-learner:2025.1"
#   c.DockerSpawner.volumes = {{EXCHANGE: EXCHANGE, "wbcourse-{{username}}": "/home/jovyan"}}
#   c.DockerSpawner.environment = {{
#       "JUPYTER_CONFIG_PATH": "/etc/wbcourse/learner:/etc/wbcourse/common"}}
#   c.JupyterHub.hub_ip = "0.0.0.0"   # containers reach the hub on the Docker network
# KubeSpawner (Zero to JupyterHub): the same image, a ReadWriteMany volume for the exchange:
#   c.JupyterHub.spawner_class = "kubernetes"
#   c.KubeSpawner.image = "registry.example.org/wbcourse-learner:2025.1"
#   c.KubeSpawner.volumes = [{{"name": "exchange",
#                              "persistentVolumeClaim": {{"claimName": "nbgrader-exchange"}}}}]
#   c.KubeSpawner.volume_mounts = [{{"name": "exchange", "mountPath": EXCHANGE}}]
#   c.KubeSpawner.mem_limit = "1G"

# ---- site additions, loaded last
_local = HUB_DIR / "jupyterhub_config.local.py"
if _local.exists():
    load_subconfig(str(_local))  # noqa: F821
'''
