#!/usr/bin/env python3
"""Mark one symbol-version requirement of an ELF shared library as weak, in place.

Why: TorchSharp 0.107.0's libLibTorchSharp.so was linked against GCC 13's libstdc++ and so lists
GLIBCXX_3.4.32 among the versions it needs from libstdc++.so.6. Debian 12 ships GCC 12's libstdc++
(up to GLIBCXX_3.4.30), so the dynamic loader refuses the library:
    version `GLIBCXX_3.4.32' not found (required by .../libLibTorchSharp.so)
The only symbol bound to that version is std::ios_base_library_init(), which GCC 13's <iostream> names
just to pull in the right libstdc++ (no relocation refers to it, so nothing ever calls or binds it).
Setting VER_FLG_WEAK (0x2) in that Vernaux entry of .gnu.version_r tells glibc's loader that a missing
version is not fatal; every other requirement stays as it was.

Usage: python3 weaken_glibcxx.py LIB.so [VERSION]   (VERSION defaults to GLIBCXX_3.4.32)
Idempotent; standard library only (hand-parsed ELF64 little-endian, the layout in elf.h). The file is
rewritten through a temporary copy, so a hard link into the NuGet cache is never modified.
"""
import os
import struct
import sys

SHT_GNU_VERNEED = 0x6FFFFFFE
VER_FLG_WEAK = 0x2


def cstring(data: bytes, offset: int) -> str:
    end = data.index(b"\0", offset)
    return data[offset:end].decode("ascii")


def weaken(path: str, version: str) -> str:
    data = bytearray(open(path, "rb").read())
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit(f"{path}: not a little-endian ELF64 file")

    # ELF64 header: e_shoff at 0x28, e_shentsize/e_shnum at 0x3A/0x3C.
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)

    def section(i):
        # Elf64_Shdr: name, type, flags, addr, offset, size, link, info, addralign, entsize
        return struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize)

    verneed = next((section(i) for i in range(shnum) if section(i)[1] == SHT_GNU_VERNEED), None)
    if verneed is None:
        return "no .gnu.version_r section; nothing to do"
    _, _, _, _, vn_offset, _, link, vn_count, _, _ = verneed
    strtab_offset = section(link)[4]  # .dynstr

    need = vn_offset
    for _ in range(vn_count):
        # Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32
        _, cnt, vn_file, vn_aux, vn_next = struct.unpack_from("<HHIII", data, need)
        aux = need + vn_aux
        for _ in range(cnt):
            # Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32
            _, flags, other, name, vna_next = struct.unpack_from("<IHHII", data, aux)
            if cstring(data, strtab_offset + name) == version:
                library = cstring(data, strtab_offset + vn_file)
                if flags & VER_FLG_WEAK:
                    return f"{version} from {library} is already weak"
                struct.pack_into("<H", data, aux + 4, flags | VER_FLG_WEAK)
                temp = path + ".weakening"
                with open(temp, "wb") as f:
                    f.write(data)
                os.chmod(temp, os.stat(path).st_mode)
                os.replace(temp, path)
                return f"marked {version} from {library} weak (Vernaux at file offset 0x{aux:x}, version index {other})"
            aux += vna_next
        need += vn_next
    return f"{version} is not required; nothing to do"


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    lib = sys.argv[1]
    print(f"weaken_glibcxx: {lib}: {weaken(lib, sys.argv[2] if len(sys.argv) == 3 else 'GLIBCXX_3.4.32')}")
