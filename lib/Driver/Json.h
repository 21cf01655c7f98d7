//===- Json.h - A small streaming JSON writer ------------------*- C++ -*-===//
//
// Private to lib/Driver: enough JSON for manifest.json.
//
//===----------------------------------------------------------------------===//

#ifndef KILN_LIB_DRIVER_JSON_H
#define KILN_LIB_DRIVER_JSON_H

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace kiln::driver {

class JsonWriter {
public:
  JsonWriter &beginObject() { return open('{'); }
  JsonWriter &endObject() { return close('}'); }
  JsonWriter &beginArray() { return open('['); }
  JsonWriter &endArray() { return close(']'); }

  JsonWriter &key(const std::string &name) {
    separate();
    quote(name);
    out_ += ": ";
    afterKey_ = true;
    return *this;
  }
  JsonWriter &value(const std::string &text) {
    separate();
    quote(text);
    return *this;
  }
  JsonWriter &value(const char *text) { return value(std::string(text)); }
  JsonWriter &value(bool flag) {
    separate();
    out_ += flag ? "true" : "false";
    return *this;
  }
  JsonWriter &value(double number) {
    separate();
    if (!std::isfinite(number)) {
      out_ += "null";
      return *this;
    }
    char buffer[32];
    std::snprintf(buffer, sizeof(buffer), "%.6g", number);
    out_ += buffer;
    return *this;
  }

  const std::string &str() const { return out_; }

private:
  JsonWriter &open(char bracket) {
    separate();
    out_ += bracket;
    first_.push_back(true);
    return *this;
  }
  JsonWriter &close(char bracket) {
    first_.pop_back();
    newline();
    out_ += bracket;
    return *this;
  }
  /// A comma and a new line before every element but the first.
  void separate() {
    if (afterKey_) {
      afterKey_ = false;
      return;
    }
    if (first_.empty())
      return;
    if (!first_.back())
      out_ += ",";
    first_.back() = false;
    newline();
  }
  void newline() {
    out_ += "\n";
    out_.append(2 * first_.size(), ' ');
  }
  void quote(const std::string &text) {
    out_ += '"';
    for (char c : text) {
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (static_cast<unsigned char>(c) < 0x20) {
        char buffer[8];
        std::snprintf(buffer, sizeof(buffer), "\\u%04x", c);
        out_ += buffer;
      } else {
        out_ += c;
      }
    }
    out_ += '"';
  }

  std::string out_;
  std::vector<bool> first_;
  bool afterKey_ = false;
};

} // namespace kiln::driver

#endif // KILN_LIB_DRIVER_JSON_H
