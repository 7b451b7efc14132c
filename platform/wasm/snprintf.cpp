// The module's own snprintf. Its one caller is nlohmann's JSON lexer, naming a control byte in a
// parse error as "<U+%.4X>" (the options and header parsers run it; their inputs come from
// JSON.stringify, so it is practically unreachable, and the module never shows that message).
// libc's snprintf would bring printf's whole formatting machinery into the module for it
// (printf_core and its helpers: ~4 KB gzipped, bench/README.md "The wasm build's flags"). This
// one formats %X %x %u %d %s %c with an optional precision, and %%; any other directive is
// written as it stands without reading an argument. Always terminated, never past `size`.
// Linked into llmstream_core.wasm only: the native build and the wasm test suite keep libc's.
#include <cstdarg>
#include <cstddef>

namespace {

struct Sink {
  char* out;
  size_t size;
  size_t length = 0;
  void Put(char c) {
    if (length + 1 < size) out[length] = c;
    ++length;
  }
};

void PutUnsigned(Sink& sink, unsigned long long value, unsigned base, bool upper, int precision) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  char buffer[24];
  int n = 0;
  do {
    buffer[n++] = digits[value % base];
    value /= base;
  } while (value != 0);
  for (int pad = precision - n; pad > 0; --pad) sink.Put('0');
  while (n > 0) sink.Put(buffer[--n]);
}

}  // namespace

extern "C" int vsnprintf(char* out, size_t size, const char* format, va_list args) {
  Sink sink{out, size};
  for (const char* p = format; *p != '\0'; ++p) {
    if (*p != '%') {
      sink.Put(*p);
      continue;
    }
    const char* directive = p++;
    int precision = -1;
    if (*p == '.') {
      precision = 0;
      for (++p; *p >= '0' && *p <= '9'; ++p) precision = precision * 10 + (*p - '0');
    }
    switch (*p) {
      case '%':
        sink.Put('%');
        break;
      case 'X':
      case 'x':
        PutUnsigned(sink, va_arg(args, unsigned), 16, *p == 'X', precision);
        break;
      case 'u':
        PutUnsigned(sink, va_arg(args, unsigned), 10, false, precision);
        break;
      case 'd': {
        const int value = va_arg(args, int);
        if (value < 0) sink.Put('-');
        PutUnsigned(sink,
                    value < 0 ? 0ull - static_cast<unsigned long long>(value)
                              : static_cast<unsigned long long>(value),
                    10, false, precision);
        break;
      }
      case 'c':
        sink.Put(static_cast<char>(va_arg(args, int)));
        break;
      case 's':
        for (const char* s = va_arg(args, const char*); s != nullptr && *s != '\0'; ++s) {
          sink.Put(*s);
        }
        break;
      default:  // not understood: written as it stands, no argument read
        for (const char* q = directive; q <= p && *q != '\0'; ++q) sink.Put(*q);
        if (*p == '\0') --p;
        break;
    }
  }
  if (size > 0) out[sink.length < size ? sink.length : size - 1] = '\0';
  return static_cast<int>(sink.length);
}

extern "C" int snprintf(char* out, size_t size, const char* format, ...) {
  va_list args;
  va_start(args, format);
  const int length = vsnprintf(out, size, format, args);
  va_end(args);
  return length;
}
