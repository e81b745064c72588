"""Take the network away from this process for good: a seccomp filter that refuses every non-local socket.

The SPARQL workers install it first thing, before they read anything a request sent, so whatever a query makes
Oxigraph try (``SERVICE``, which it would honour with an HTTP request), no connection can be opened: the query
screen (:mod:`.screen`) is a second layer, not the only one.

The filter (Linux seccomp-BPF, installed with ``prctl``; the kernel keeps it for the life of the process and its
children, and nothing can remove it):

- ``socket(2)`` is refused with ``EACCES`` for every address family but ``AF_UNIX``; with no internet, netlink
  or packet socket, nothing can be sent anywhere (``connect`` and ``sendto`` need a socket first, and the worker
  inherits none: it is started with only its two pipes);
- ``io_uring_setup(2)`` is refused (io_uring can open sockets without the ``socket`` call);
- a system call of another ABI (32-bit ``int 0x80``, x32) is refused, so the filter cannot be side-stepped;
- everything else is allowed.

It is written for x86-64 and AArch64; anywhere else, or where the kernel refuses it, :func:`install` raises
:class:`SandboxUnavailable` and the worker runs no query (it fails closed).
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import sys
from dataclasses import dataclass

from guidancekg.graph.errors import SandboxUnavailable

# linux/prctl.h, linux/seccomp.h, linux/filter.h, linux/audit.h
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
BPF_LD_W_ABS = 0x00 | 0x00 | 0x20  # BPF_LD | BPF_W | BPF_ABS
BPF_JEQ_K = 0x05 | 0x10 | 0x00  # BPF_JMP | BPF_JEQ | BPF_K
BPF_JGE_K = 0x05 | 0x30 | 0x00  # BPF_JMP | BPF_JGE | BPF_K
BPF_RET_K = 0x06 | 0x00  # BPF_RET | BPF_K
# struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer; __u64 args[6] (little-endian here)
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG0 = 0, 4, 16
AF_UNIX = 1
X32_SYSCALL_BIT = 0x40000000


@dataclass(frozen=True)
class Abi:
    """What the filter needs to know of an architecture: its audit tag and its system call numbers."""

    audit_arch: int
    socket: int
    io_uring_setup: int
    prctl: int
    seccomp: int
    x32: bool  # whether the x32 ABI shares the architecture tag


ABIS = {
    "x86_64": Abi(audit_arch=0xC000003E, socket=41, io_uring_setup=425, prctl=157, seccomp=317, x32=True),
    "aarch64": Abi(audit_arch=0xC00000B7, socket=198, io_uring_setup=425, prctl=167, seccomp=277, x32=False),
}


class _Instruction(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _Program(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Instruction))]


def _deny(code: int) -> int:
    return SECCOMP_RET_ERRNO | code


def abi() -> Abi | None:
    """Return the ABI of this machine, or None when the filter is not written for it."""
    return ABIS.get(platform.machine()) if sys.platform == "linux" else None


def network_filter(a: Abi) -> list[tuple[int, int, int, int]]:
    """Return the filter program (code, jump if true, jump if false, constant) described in the module docstring."""
    return [
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARCH),
        (BPF_JEQ_K, 1, 0, a.audit_arch),
        (BPF_RET_K, 0, 0, _deny(errno.EPERM)),  # another ABI
        (BPF_LD_W_ABS, 0, 0, OFFSET_NR),
        (BPF_JGE_K, 0, 1, X32_SYSCALL_BIT if a.x32 else 0xFFFFFFFF),
        (BPF_RET_K, 0, 0, _deny(errno.EPERM)),  # x32
        (BPF_JEQ_K, 0, 1, a.io_uring_setup),
        (BPF_RET_K, 0, 0, _deny(errno.EPERM)),
        (BPF_JEQ_K, 0, 3, a.socket),
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARG0),  # the address family (an int: the low 32 bits)
        (BPF_JEQ_K, 1, 0, AF_UNIX),
        (BPF_RET_K, 0, 0, _deny(errno.EACCES)),
        (BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW),
    ]


def install_filter(program: list[tuple[int, int, int, int]]) -> None:
    """Install a seccomp filter program in this process (and its future children), for good."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        prctl = libc.prctl
    except (OSError, AttributeError) as exc:
        raise SandboxUnavailable(f"the SPARQL sandbox cannot be installed: no prctl ({exc})") from None
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    instructions = (_Instruction * len(program))(*(_Instruction(*step) for step in program))
    fprog = _Program(len(program), instructions)
    if prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise SandboxUnavailable("the SPARQL sandbox cannot be installed: prctl(PR_SET_NO_NEW_PRIVS) failed: "
                                 + _strerror())
    if prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(fprog), 0, 0) != 0:
        raise SandboxUnavailable("the SPARQL sandbox cannot be installed: the kernel refused the seccomp filter: "
                                 + _strerror())


def _strerror() -> str:
    code = ctypes.get_errno()
    return f"{errno.errorcode.get(code, code)} ({os.strerror(code)})"


def install() -> None:
    """Refuse every non-local socket in this process from now on; raise :class:`SandboxUnavailable` if impossible."""
    a = abi()
    if a is None:
        raise SandboxUnavailable(f"the SPARQL sandbox is written for Linux on x86-64 and AArch64, not "
                                 f"{sys.platform} on {platform.machine()}: queries are not run unsandboxed")
    install_filter(network_filter(a))
