/* Parses a kernel, runs a pipeline given as text on it, prints the result and
 * the traffic report of its first function, all through the C API. */

#include "mlir-c/IR.h"
#include "mlir-c/Pass.h"
#include "nki-c/NKI.h"

#include <stdio.h>
#include <stdlib.h>

static void print(MlirStringRef text, void *unused) {
  (void)unused;
  fwrite(text.data, 1, text.length, stdout);
}

static char *readFile(const char *path) {
  FILE *file = fopen(path, "rb");
  if (!file)
    return NULL;
  fseek(file, 0, SEEK_END);
  long size = ftell(file);
  fseek(file, 0, SEEK_SET);
  char *text = malloc(size + 1);
  size_t read = fread(text, 1, size, file);
  text[read] = '\0';
  fclose(file);
  return text;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: nki-c-consumer KERNEL.mlir PIPELINE\n");
    return 2;
  }
  char *source = readFile(argv[1]);
  if (!source) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 1;
  }
  MlirDialectRegistry registry = mlirDialectRegistryCreate();
  nkiRegisterDialects(registry);
  MlirContext context = mlirContextCreateWithRegistry(registry, false);
  mlirDialectRegistryDestroy(registry);
  nkiRegisterPassesAndPipelines();

  int status = 1;
  MlirModule module =
      mlirModuleCreateParse(context, mlirStringRefCreateFromCString(source));
  MlirPassManager pm = mlirPassManagerCreate(context);
  MlirOpPassManager opm = mlirPassManagerGetAsOpPassManager(pm);
  if (mlirModuleIsNull(module))
    goto done;
  if (mlirLogicalResultIsFailure(mlirParsePassPipeline(
          opm, mlirStringRefCreateFromCString(argv[2]), print, NULL)))
    goto done;
  if (mlirLogicalResultIsFailure(
          mlirPassManagerRunOnOp(pm, mlirModuleGetOperation(module))))
    goto done;
  mlirOperationPrint(mlirModuleGetOperation(module), print, NULL);

  MlirOperation kernel = mlirBlockGetFirstOperation(mlirModuleGetBody(module));
  NkiKernelReport report;
  if (mlirLogicalResultIsFailure(nkiAnalyzeKernel(kernel, &report)))
    goto done;
  printf("report: loads %lld (%lld bytes), stores %lld (%lld bytes), "
         "matmuls %lld, transposes %lld, compulsory loads %lld bytes\n",
         (long long)report.dmaHbmToSbufCount,
         (long long)report.dmaHbmToSbufBytes,
         (long long)report.dmaSbufToHbmCount,
         (long long)report.dmaSbufToHbmBytes, (long long)report.matmuls,
         (long long)report.transposes, (long long)report.compulsoryLoadBytes);
  status = 0;

done:
  mlirPassManagerDestroy(pm);
  if (!mlirModuleIsNull(module))
    mlirModuleDestroy(module);
  mlirContextDestroy(context);
  free(source);
  return status;
}
