#!/usr/bin/env python3
"""Rewrite one version-need entry of an ELF64 shared library in place.

Usage: patch_glibcxx_version.py LIB OLD NEW [--check]   (OLD and NEW must have equal length)

The .gnu.version_r section lists, per needed library, the symbol versions it requires (vernaux entries:
a name in .dynstr and the ELF hash of that name). The dynamic loader refuses to load a library whose
required version the system lacks, so we rename GLIBCXX_3.4.32 to GLIBCXX_3.4.30 (present on Debian 12)
and update its hash. Prints 'patched', 'absent' (nothing to do) and exits 0; anything else exits 1.
With --check nothing is written: prints 'present' or 'absent'. (Grepping the file for the name is not enough:
patchelf moves .dynstr and leaves the stale copy of the old string behind.)
"""
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE


def elf_hash(name: bytes) -> int:
    h = 0
    for c in name:
        h = ((h << 4) + c) & 0xFFFFFFFF
        g = h & 0xF0000000
        if g:
            h ^= g >> 24
        h &= ~g & 0xFFFFFFFF
    return h


def main(path: str, old: str, new: str, check: bool = False) -> int:
    if len(old) != len(new):
        print("OLD and NEW must have the same length", file=sys.stderr)
        return 1
    data = bytearray(open(path, "rb").read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        print(f"{path}: not a little-endian ELF64 file", file=sys.stderr)
        return 1
    e_shoff, = struct.unpack_from("<Q", data, 0x28)
    e_shentsize, e_shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize) for i in range(e_shnum)]
    verneed = next((s for s in sections if s[1] == SHT_GNU_VERNEED), None)
    if verneed is None:
        print("absent")
        return 0
    dynstr_off = sections[verneed[6]][4]
    changed = False
    pos = verneed[4]
    while True:
        _, vn_cnt, _, vn_aux, vn_next = struct.unpack_from("<HHIII", data, pos)
        aux = pos + vn_aux
        for _ in range(vn_cnt):
            _, _, _, vna_name, vna_next = struct.unpack_from("<IHHII", data, aux)
            start = dynstr_off + vna_name
            end = data.index(b"\0", start)
            if bytes(data[start:end]) == old.encode():
                if check:
                    print("present")
                    return 0
                data[start:end] = new.encode()
                struct.pack_into("<I", data, aux, elf_hash(new.encode()))
                changed = True
            if vna_next == 0:
                break
            aux += vna_next
        if vn_next == 0:
            break
        pos += vn_next
    if changed:
        open(path, "wb").write(data)
    print("patched" if changed else "absent")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    check = "--check" in args
    args = [a for a in args if a != "--check"]
    sys.exit(main(*args, check=check) if len(args) == 3 else 1)
