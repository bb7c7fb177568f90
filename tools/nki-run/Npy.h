//===- Npy.h - Minimal NumPy .npy reader and writer -------------*- C++ -*-===//
//
// Enough of the .npy format (version 1.0, little-endian, C order) for nki-run
// to read float inputs and write float outputs.
//
//===----------------------------------------------------------------------===//

#ifndef NKI_TOOLS_NKIRUN_NPY_H
#define NKI_TOOLS_NKIRUN_NPY_H

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <vector>

namespace npy {

struct Array {
  llvm::SmallVector<int64_t> shape;
  std::vector<float> data;
};

/// Reads a C-order array of float32, float64 or float16 as floats.
llvm::Expected<Array> read(llvm::StringRef path);

/// Writes `data` with `shape` as a float32 .npy file.
llvm::Error write(llvm::StringRef path, llvm::ArrayRef<int64_t> shape,
                  llvm::ArrayRef<float> data);

} // namespace npy

#endif // NKI_TOOLS_NKIRUN_NPY_H
