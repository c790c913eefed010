#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Prints the names of the BPF programs on tcx ingress of IFNAME, one a line.

Debian 12's bpftool (7.1) and iproute2 (6.1) predate tcx (kernel 6.6), so
tests ask the kernel directly: BPF_PROG_QUERY, then each program's info.

    tcx_progs.py IFNAME
"""
import ctypes
import socket
import struct
import sys

NR_BPF = 321  # x86_64
BPF_PROG_GET_FD_BY_ID = 13
BPF_OBJ_GET_INFO_BY_FD = 15
BPF_PROG_QUERY = 16
BPF_TCX_INGRESS = 46

libc = ctypes.CDLL(None, use_errno=True)


def bpf(cmd, attr):
    buf = ctypes.create_string_buffer(attr, 128)
    ret = libc.syscall(NR_BPF, cmd, buf, 128)
    return ret, buf


def main():
    ifindex = socket.if_nametoindex(sys.argv[1])
    ids = (ctypes.c_uint32 * 64)()
    # union bpf_attr.query: target_ifindex, attach_type, query_flags, attach_flags, prog_ids, prog_cnt
    ret, buf = bpf(BPF_PROG_QUERY, struct.pack("IIIIQI", ifindex, BPF_TCX_INGRESS, 0, 0,
                                               ctypes.addressof(ids), 64))
    if ret < 0:
        sys.exit(f"BPF_PROG_QUERY on {sys.argv[1]}: errno {ctypes.get_errno()}")
    count = struct.unpack_from("I", buf.raw, 24)[0]
    for pid in ids[:count]:
        fd, _ = bpf(BPF_PROG_GET_FD_BY_ID, struct.pack("III", pid, 0, 0))
        if fd < 0:
            continue
        info = ctypes.create_string_buffer(256)
        ret, _ = bpf(BPF_OBJ_GET_INFO_BY_FD, struct.pack("IIQ", fd, 256, ctypes.addressof(info)))
        if ret == 0:
            # struct bpf_prog_info: name[16] at offset 64
            print(info.raw[64:80].split(b"\0")[0].decode())
        libc.close(fd)


main()
