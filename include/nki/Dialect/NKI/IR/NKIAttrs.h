//===- NKIAttrs.h - NKI attributes and enums --------------------*- C++ -*-===//

#ifndef NKI_DIALECT_NKI_IR_NKIATTRS_H
#define NKI_DIALECT_NKI_IR_NKIATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"

#include "nki/Dialect/NKI/IR/NKIEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "nki/Dialect/NKI/IR/NKIAttrs.h.inc"

#endif // NKI_DIALECT_NKI_IR_NKIATTRS_H
