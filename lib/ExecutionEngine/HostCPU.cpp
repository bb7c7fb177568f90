//===- HostCPU.cpp - What the host CPU lets generated code use --*- C++ -*-===//

#include "nki/ExecutionEngine/HostCPU.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/TargetParser/Host.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <sys/syscall.h>
#include <unistd.h>

bool mlir::nki::requestHostAMX() {
  if (!llvm::sys::getHostCPUFeatures().lookup("amx-bf16"))
    return false;
#if defined(__linux__) && defined(__x86_64__)
  // Linux keeps the 8 KiB tile data state (XFEATURE_XTILEDATA = 18) off
  // until a process asks; a tile instruction would fault otherwise.
  constexpr int kRequestPermission = 0x1023; // ARCH_REQ_XCOMP_PERM
  constexpr int kTileData = 18;
  return syscall(SYS_arch_prctl, kRequestPermission, kTileData) == 0;
#else
  return false;
#endif
}

bool mlir::nki::hostHasAVX512BF16() {
  return llvm::sys::getHostCPUFeatures().lookup("avx512bf16");
}

void mlir::nki::keepKernelScratchMapped() {
#if defined(__GLIBC__)
  // Serve blocks up to 32 MiB (any on-chip buffer: SBUF is 24 MiB) from the
  // arenas instead of one mmap each, and never trim the arenas: the next call
  // of the kernel reuses the same pages.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
#endif
}
