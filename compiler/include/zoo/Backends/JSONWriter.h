//===- JSONWriter.h - streaming JSON, as llvm::json::OStream writes it --*- C++ -*-===//
//
// The JSON backend's writer: the same interface and the same bytes as llvm::json::OStream
// (LLVM 14) with an indent, for the subset the backend uses (objects, arrays, attributes, and
// null, booleans, integers, reals and strings as values), without building a json::Value for
// every value or checking the nesting at run time. A registry of 10,000 models is 25 MB of JSON,
// and OStream spent about 300 instructions an attribute on it.
//
//===----------------------------------------------------------------------===//
#ifndef ZOO_BACKENDS_JSONWRITER_H
#define ZOO_BACKENDS_JSONWRITER_H

#include "zoo/Basic/Atom.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/raw_ostream.h"
#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>

namespace zoo {

class JSONWriter {
public:
  JSONWriter(llvm::raw_ostream &OS, unsigned IndentSize) : OS(OS), IndentSize(IndentSize) {
    Stack.push_back({Singleton, false});
  }
  JSONWriter(const JSONWriter &) = delete;
  JSONWriter &operator=(const JSONWriter &) = delete;
  ~JSONWriter() { flush(); }
  /// Hands what is buffered to the stream (done when the outermost value is complete).
  void flush() {
    OS.write(Buf, Used);
    Used = 0;
  }

  void object(llvm::function_ref<void()> Contents) {
    open(Object, '{');
    Contents();
    close('}');
  }
  void array(llvm::function_ref<void()> Contents) {
    open(Array, '[');
    Contents();
    close(']');
  }

  void attributeBegin(llvm::StringRef Key) {
    Frame &F = Stack.back();
    if (F.HasValue)
      put(',');
    newline();
    F.HasValue = true;
    Stack.push_back({Singleton, false});
    string(Key);
    put(':');
    if (IndentSize)
      put(' ');
  }
  void attributeEnd() { Stack.pop_back(); }
  template <typename T> void attribute(llvm::StringRef Key, const T &V) {
    attributeBegin(Key);
    value(V);
    attributeEnd();
  }
  void attributeArray(llvm::StringRef Key, llvm::function_ref<void()> Contents) {
    attributeBegin(Key);
    array(Contents);
    attributeEnd();
  }
  void attributeObject(llvm::StringRef Key, llvm::function_ref<void()> Contents) {
    attributeBegin(Key);
    object(Contents);
    attributeEnd();
  }

  void value(std::nullptr_t) {
    valueBegin();
    put("null", 4);
  }
  void value(bool B) {
    valueBegin();
    if (B)
      put("true", 4);
    else
      put("false", 5);
  }
  template <typename T>
  std::enable_if_t<std::is_integral<T>::value && !std::is_same<T, bool>::value> value(T I) {
    valueBegin();
    char Digits[24];
    auto R = std::is_signed<T>::value
                 ? std::to_chars(Digits, Digits + sizeof Digits, static_cast<int64_t>(I))
                 : std::to_chars(Digits, Digits + sizeof Digits, static_cast<uint64_t>(I));
    put(Digits, static_cast<size_t>(R.ptr - Digits));
  }
  /// As printf's `%.17g` (OStream's format): to_chars with a precision is specified to match it.
  void value(double D) {
    valueBegin();
    char Digits[40];
    auto R = std::to_chars(Digits, Digits + sizeof Digits, D, std::chars_format::general,
                           std::numeric_limits<double>::max_digits10);
    put(Digits, static_cast<size_t>(R.ptr - Digits));
  }
  void value(llvm::StringRef S) {
    valueBegin();
    string(S);
  }
  void value(const std::string &S) { value(llvm::StringRef(S)); }
  void value(const char *S) { value(llvm::StringRef(S)); }
  void value(Atom S) { value(S.ref()); }
  /// Anything else as json::Value: written by OStream itself (scalars only: an array or an
  /// object would lose the indent).
  void value(const llvm::json::Value &V) {
    valueBegin();
    flush();
    llvm::json::OStream(OS).value(V);
  }

private:
  enum Context : uint8_t { Singleton, Array, Object };
  struct Frame {
    Context Ctx;
    bool HasValue;
  };
  llvm::raw_ostream &OS;
  unsigned IndentSize, Indent = 0;
  /// Output is gathered here and handed to the stream 64 KiB at a time: a call of
  /// raw_ostream::write for each piece cost more than the piece.
  static constexpr size_t BufSize = 64 * 1024;
  char Buf[BufSize];
  size_t Used = 0;

  void put(char C) {
    if (Used == BufSize)
      flush();
    Buf[Used++] = C;
  }
  void put(const char *P, size_t N) {
    if (N > BufSize - Used) {
      flush();
      if (N > BufSize) {
        OS.write(P, N);
        return;
      }
    }
    std::memcpy(Buf + Used, P, N);
    Used += N;
  }
  void spaces(unsigned N) {
    while (N) {
      if (Used == BufSize)
        flush();
      size_t K = std::min<size_t>(N, BufSize - Used);
      std::memset(Buf + Used, ' ', K);
      Used += K;
      N -= static_cast<unsigned>(K);
    }
  }

  llvm::SmallVector<Frame, 16> Stack;

  void newline() {
    if (IndentSize) {
      put('\n');
      spaces(Indent);
    }
  }
  void valueBegin() {
    Frame &F = Stack.back();
    if (F.HasValue)
      put(',');
    if (F.Ctx == Array)
      newline();
    F.HasValue = true;
  }
  void open(Context C, char Bracket) {
    valueBegin();
    Stack.push_back({C, false});
    Indent += IndentSize;
    put(Bracket);
  }
  void close(char Bracket) {
    Indent -= IndentSize;
    if (Stack.back().HasValue)
      newline();
    put(Bracket);
    Stack.pop_back();
    if (Stack.size() == 1)
      flush(); // the outermost value is complete: the caller may write after it
  }
  /// A quoted string with OStream's escapes; invalid UTF-8 repaired as OStream repairs it. The
  /// plain ASCII prefix (nearly every string whole) is copied as it is; the rest, from the first
  /// byte that needs a second look, is checked and repaired as a whole and then escaped (an
  /// ASCII prefix decodes the same alone as in the string).
  void string(llvm::StringRef S) {
    put('"');
    size_t Plain = plainPrefix(S);
    put(S.data(), Plain);
    if (Plain < S.size()) {
      llvm::StringRef Rest = S.drop_front(Plain);
      if (llvm::json::isUTF8(Rest))
        escaped(Rest);
      else
        escaped(llvm::json::fixUTF8(Rest));
    }
    put('"');
  }
  /// The length of `S`'s prefix of bytes written as they are: ASCII from 0x20, neither a quote
  /// nor a backslash. Eight bytes at a time first (a byte is zero in X ^ c exactly when it is c).
  static size_t plainPrefix(llvm::StringRef S) {
    constexpr uint64_t Ones = 0x0101010101010101ULL, Highs = 0x8080808080808080ULL;
    auto Zero = [](uint64_t X) { return (X - Ones) & ~X & Highs; };
    size_t I = 0;
    for (; I + 8 <= S.size(); I += 8) {
      uint64_t W;
      std::memcpy(&W, S.data() + I, sizeof W);
      if ((W & Highs) | ((W - 0x20 * Ones) & ~W & Highs) | Zero(W ^ ('"' * Ones)) |
          Zero(W ^ ('\\' * Ones)))
        break;
    }
    for (; I < S.size(); ++I) {
      unsigned char C = static_cast<unsigned char>(S[I]);
      if (C < 0x20 || C >= 0x80 || C == '"' || C == '\\')
        break;
    }
    return I;
  }
  /// `S` with its quotes and backslashes and control characters escaped, unquoted.
  void escaped(llvm::StringRef S) {
    size_t Run = 0;
    for (size_t I = 0; I < S.size(); ++I) {
      unsigned char C = static_cast<unsigned char>(S[I]);
      if (C >= 0x20 && C != '"' && C != '\\')
        continue;
      put(S.data() + Run, I - Run);
      Run = I + 1;
      escape(C);
    }
    put(S.data() + Run, S.size() - Run);
  }
  void escape(unsigned char C) {
    put('\\');
    switch (C) {
    case '"':
    case '\\':
      put(static_cast<char>(C));
      break;
    case '\t':
      put('t');
      break;
    case '\n':
      put('n');
      break;
    case '\r':
      put('r');
      break;
    default: { // four lower-case hex digits, as llvm::write_hex writes them (C is below 0x20)
      static const char Hex[] = "0123456789abcdef";
      const char U[] = {'u', '0', '0', Hex[C >> 4], Hex[C & 15]};
      put(U, sizeof U);
      break;
    }
    }
  }
};

} // namespace zoo

#endif
