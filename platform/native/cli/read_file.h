// Reading whole inputs (the --replay file, the prompt on stdin) with every failure reported:
// iostreams turn a read error such as EISDIR into a quiet end of file, which made a directory
// look like an empty file (an "empty prompt", a "truncated" replay) instead of a file error.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace llmstream::cli {

// Inputs are read whole into memory: more than this is refused rather than exhausting it
// (`--replay /dev/zero`).
inline constexpr size_t kMaxInputBytes = size_t{1} << 30;  // 1 GiB

// All of `fd` until end of file. nullopt + *error ("<strerror>" or "larger than 1 GiB") on failure.
std::optional<std::string> ReadAll(int fd, std::string* error);

// All of the file at `path`. nullopt + *error ("cannot read PATH: <why>") on failure, directories
// included.
std::optional<std::string> ReadWholeFile(const std::string& path, std::string* error);

}  // namespace llmstream::cli
