//===- Npy.cpp - Minimal NumPy .npy reader and writer -----------*- C++ -*-===//

#include "Npy.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

using namespace llvm;

namespace {
constexpr char kMagic[] = "\x93NUMPY";

Error error(StringRef path, const Twine &message) {
  return createStringError(inconvertibleErrorCode(), path + ": " + message);
}

/// The value of `'key': value` in the header dict, up to the next `,` at
/// depth 0 (shape tuples contain commas).
std::optional<StringRef> field(StringRef header, StringRef key) {
  size_t at = header.find(("'" + key + "'").str());
  if (at == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(at).split(':').second.ltrim();
  int depth = 0;
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    depth += c == '(';
    depth -= c == ')';
    if ((c == ',' && depth == 0) || c == '}')
      return rest.take_front(i).trim();
  }
  return std::nullopt;
}

float halfToFloat(uint16_t h) {
  _Float16 value;
  std::memcpy(&value, &h, sizeof(h));
  return static_cast<float>(value);
}
} // namespace

Expected<npy::Array> npy::read(StringRef path) {
  auto file = MemoryBuffer::getFile(path, /*IsText=*/false);
  if (!file)
    return error(path, "cannot open: " + file.getError().message());
  StringRef bytes = (*file)->getBuffer();
  if (bytes.size() < 10 || !bytes.starts_with(StringRef(kMagic, 6)))
    return error(path, "not a .npy file");
  uint8_t major = bytes[6];
  size_t headerSize, headerStart;
  if (major == 1) {
    headerSize = uint8_t(bytes[8]) | (uint8_t(bytes[9]) << 8);
    headerStart = 10;
  } else {
    if (bytes.size() < 12)
      return error(path, "truncated header");
    headerSize = uint8_t(bytes[8]) | (uint8_t(bytes[9]) << 8) |
                 (uint8_t(bytes[10]) << 16) |
                 (uint32_t(uint8_t(bytes[11])) << 24);
    headerStart = 12;
  }
  if (bytes.size() < headerStart + headerSize)
    return error(path, "truncated header");
  StringRef header = bytes.substr(headerStart, headerSize);
  std::optional<StringRef> descr = field(header, "descr");
  std::optional<StringRef> fortran = field(header, "fortran_order");
  std::optional<StringRef> shapeText = field(header, "shape");
  if (!descr || !fortran || !shapeText)
    return error(path, "malformed header");
  if (*fortran != "False")
    return error(path, "Fortran-order arrays are not supported");
  StringRef type = descr->trim("'\"");
  size_t elementSize;
  if (type == "<f4")
    elementSize = 4;
  else if (type == "<f8")
    elementSize = 8;
  else if (type == "<f2")
    elementSize = 2;
  else
    return error(path, "dtype " + type +
                           " is not supported; use float32, "
                           "float64 or float16");
  Array array;
  int64_t count = 1;
  SmallVector<StringRef> dims;
  shapeText->trim("()").split(dims, ',', -1, /*KeepEmpty=*/false);
  for (StringRef dim : dims) {
    int64_t size;
    if (dim.trim().getAsInteger(10, size) || size < 0)
      return error(path, "malformed shape " + *shapeText);
    array.shape.push_back(size);
    count *= size;
  }
  StringRef payload = bytes.drop_front(headerStart + headerSize);
  if (payload.size() != count * elementSize)
    return error(path, "holds " + Twine(payload.size()) +
                           " data bytes, its "
                           "shape needs " +
                           Twine(count * elementSize));
  array.data.resize(count);
  for (int64_t i = 0; i < count; ++i) {
    const char *at = payload.data() + i * elementSize;
    if (elementSize == 4) {
      std::memcpy(&array.data[i], at, 4);
    } else if (elementSize == 8) {
      double value;
      std::memcpy(&value, at, 8);
      array.data[i] = static_cast<float>(value);
    } else {
      uint16_t half;
      std::memcpy(&half, at, 2);
      array.data[i] = halfToFloat(half);
    }
  }
  return array;
}

Error npy::write(StringRef path, ArrayRef<int64_t> shape,
                 ArrayRef<float> data) {
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (";
  for (auto [i, dim] : llvm::enumerate(shape))
    header += (i ? ", " : "") + std::to_string(dim);
  if (shape.size() == 1)
    header += ","; // a one-element tuple
  header += "), }";
  // Pad so that the data starts at a multiple of 64 bytes.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::error_code ec;
  raw_fd_ostream os(path, ec, sys::fs::OF_None);
  if (ec)
    return error(path, "cannot write: " + ec.message());
  os.write(kMagic, 6);
  os << char(1) << char(0) << char(header.size() & 0xff)
     << char(header.size() >> 8) << header;
  os.write(reinterpret_cast<const char *>(data.data()),
           data.size() * sizeof(float));
  return Error::success();
}
