//===- nki-translate.cpp - NKI translation driver ---------------*- C++ -*-===//
//
// mlir-translate with nki-mlir's translations: `--nki-to-python` writes a
// kernel as NKI Python.
//
//===----------------------------------------------------------------------===//

#include "nki/Target/NKIPython.h"

#include "mlir/Tools/mlir-translate/MlirTranslateMain.h"

int main(int argc, char **argv) {
  mlir::nki::registerToNKIPythonTranslation();
  return mlir::failed(
      mlir::mlirTranslateMain(argc, argv, "nki-mlir translation driver\n"));
}
