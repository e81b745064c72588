"""Run a command where no process may install a seccomp filter, as some container runtimes arrange.

``python tests/no_seccomp.py COMMAND...`` installs a filter of its own (which its children inherit and cannot
remove) that refuses ``seccomp(2)`` and ``prctl(PR_SET_SECCOMP)`` with ``EPERM``, then runs COMMAND in its place.
The tests use it to see that the SPARQL workers fail closed when their sandbox cannot be installed.
"""

from __future__ import annotations

import errno
import os
import sys

from guidancekg.graph.sparql import sandbox


def deny_seccomp_filter(a: sandbox.Abi) -> list[tuple[int, int, int, int]]:
    """Return a filter program that refuses to install seccomp filters and allows everything else."""
    eperm = sandbox.SECCOMP_RET_ERRNO | errno.EPERM
    return [
        (sandbox.BPF_LD_W_ABS, 0, 0, sandbox.OFFSET_ARCH),
        (sandbox.BPF_JEQ_K, 1, 0, a.audit_arch),
        (sandbox.BPF_RET_K, 0, 0, sandbox.SECCOMP_RET_ALLOW),
        (sandbox.BPF_LD_W_ABS, 0, 0, sandbox.OFFSET_NR),
        (sandbox.BPF_JEQ_K, 0, 1, a.seccomp),
        (sandbox.BPF_RET_K, 0, 0, eperm),
        (sandbox.BPF_JEQ_K, 0, 3, a.prctl),
        (sandbox.BPF_LD_W_ABS, 0, 0, sandbox.OFFSET_ARG0),
        (sandbox.BPF_JEQ_K, 0, 1, sandbox.PR_SET_SECCOMP),
        (sandbox.BPF_RET_K, 0, 0, eperm),
        (sandbox.BPF_RET_K, 0, 0, sandbox.SECCOMP_RET_ALLOW),
    ]


if __name__ == "__main__":
    machine = sandbox.abi()
    if machine is None:
        sys.exit("no seccomp filter for this machine")
    sandbox.install_filter(deny_seccomp_filter(machine))
    os.execvp(sys.argv[1], sys.argv[1:])
