//===- NKIDialect.h - NKI dialect -------------------------------*- C++ -*-===//

#ifndef NKI_DIALECT_NKI_IR_NKIDIALECT_H
#define NKI_DIALECT_NKI_IR_NKIDIALECT_H

#include "mlir/IR/Dialect.h"

#include "nki/Dialect/NKI/IR/NKIOpsDialect.h.inc"

#endif // NKI_DIALECT_NKI_IR_NKIDIALECT_H
