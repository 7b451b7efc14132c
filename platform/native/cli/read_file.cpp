#include "cli/read_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace llmstream::cli {

std::optional<std::string> ReadAll(int fd, std::string* error) {
  std::string data;
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = std::strerror(errno);
      return std::nullopt;
    }
    if (n == 0) return data;
    if (data.size() + static_cast<size_t>(n) > kMaxInputBytes) {
      *error = "larger than 1 GiB";
      return std::nullopt;
    }
    data.append(buffer, static_cast<size_t>(n));
  }
}

std::optional<std::string> ReadWholeFile(const std::string& path, std::string* error) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot read " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  // read() on a directory fails with EISDIR anyway; saying so before reading is clearer on
  // systems where it does not.
  struct stat info {};
  std::optional<std::string> data;
  std::string why;
  if (fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    why = std::strerror(EISDIR);
  } else {
    data = ReadAll(fd, &why);
  }
  close(fd);
  if (!data) *error = "cannot read " + path + ": " + why;
  return data;
}

}  // namespace llmstream::cli
