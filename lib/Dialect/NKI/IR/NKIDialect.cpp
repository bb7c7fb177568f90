//===- NKIDialect.cpp - NKI dialect -----------------------------*- C++ -*-===//

#include "nki/Dialect/NKI/IR/NKIDialect.h"
#include "nki/Dialect/NKI/IR/NKIAttrs.h"
#include "nki/Dialect/NKI/IR/NKIOps.h"

#include "mlir/Dialect/SCF/IR/SCF.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::nki;

#include "nki/Dialect/NKI/IR/NKIOpsDialect.cpp.inc"
#include "nki/Dialect/NKI/IR/NKIEnums.cpp.inc"
#define GET_ATTRDEF_CLASSES
#include "nki/Dialect/NKI/IR/NKIAttrs.cpp.inc"

void NKIDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "nki/Dialect/NKI/IR/NKIAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "nki/Dialect/NKI/IR/NKIOps.cpp.inc"
      >();
}

LogicalResult NKIDialect::verifyOperationAttribute(Operation *op,
                                                   NamedAttribute attr) {
  StringRef name = attr.getName().strref();
  if (name != getAffineRangeAttrName())
    return op->emitError() << "unknown NKI attribute '" << name << "'";
  if (!isa<UnitAttr>(attr.getValue()))
    return op->emitError() << "'" << name << "' must be a unit attribute";
  auto forOp = dyn_cast<scf::ForOp>(op);
  if (!forOp)
    return op->emitError() << "'" << name << "' only applies to scf.for loops";
  // Independent iterations cannot pass values from one to the next.
  if (forOp.getNumRegionIterArgs() != 0)
    return op->emitError() << "an '" << name
                           << "' loop has independent iterations and cannot "
                              "carry values through iter_args";
  return success();
}
