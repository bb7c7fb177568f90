# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "NKI"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.nki_obj_root, "test")
config.excludes = ["Inputs", "consumer", "CMakeLists.txt", "lit.cfg.py",
                   "lit.site.cfg.py"]

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
llvm_config.use_default_substitutions()
# Debian installs FileCheck, not, count and split-file unsuffixed only here.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

llvm_config.add_tool_substitutions(
    ["nki-opt", "nki-lsp-server", "nki-run", "nki-py", "nki-translate"],
    [config.nki_tools_dir, config.llvm_tools_dir])

# Debian's python3, which has numpy (see scripts/install-deps.sh).
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(
    ("%conv2d_linalg",
     "/usr/bin/python3 " + os.path.join(config.nki_src_root, "utils",
                                        "conv2d-linalg.py")))
config.substitutions.append(("%nki_src_root", config.nki_src_root))
config.substitutions.append(("%nki_tools_dir", config.nki_tools_dir))
config.substitutions.append(("%nki_obj_root", config.nki_obj_root))
# Longer names first: lit substitutes in order.
config.substitutions.append(("%cmake_generator", config.cmake_generator))
config.substitutions.append(("%cmake", config.cmake_command))
config.substitutions.append(("%cxx", config.cxx_compiler))
config.substitutions.append(("%cc", config.c_compiler))
config.substitutions.append(("%mlir_dir", config.mlir_dir))

# x86 CPUs with AMX-BF16 run nki-run's bf16 matmuls on the tile units, when
# Linux grants the process the tile state (arch_prctl ARCH_REQ_XCOMP_PERM,
# as nki::requestHostAMX asks; a sandbox may refuse it).
def host_has_amx():
    import ctypes
    import platform
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            if "amx_bf16" not in cpuinfo.read().split():
                return False
    except OSError:
        return False
    if platform.machine() != "x86_64":
        return False
    sys_arch_prctl, req_xcomp_perm, xfeature_xtiledata = 158, 0x1023, 18
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.syscall(sys_arch_prctl, req_xcomp_perm, xfeature_xtiledata) == 0

if host_has_amx():
    config.available_features.add("host-amx")

# Instruction sets of this CPU that a test may compile for (nki-run
# --target-cpu): x86-64-v3 needs AVX2 and FMA, x86-64-v4 AVX-512.
try:
    with open("/proc/cpuinfo") as cpuinfo:
        cpu_flags = set(cpuinfo.read().split())
except OSError:
    cpu_flags = set()
if {"avx2", "fma", "bmi2", "movbe"} <= cpu_flags:
    config.available_features.add("host-x86-64-v3")
if {"avx512f", "avx512bw", "avx512cd", "avx512dq", "avx512vl"} <= cpu_flags:
    config.available_features.add("host-x86-64-v4")
# vdpbf16ps, nki-run's bf16 matmul kernel on CPUs without AMX.
if "avx512_bf16" in cpu_flags:
    config.available_features.add("host-avx512-bf16")
