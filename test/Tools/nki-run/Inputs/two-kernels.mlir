func.func @first(%x: memref<128x4xf32>, %y: memref<128x4xf32>) {
  return
}
func.func @second(%x: memref<128x4xf32>, %y: memref<128x4xf32>) {
  return
}
