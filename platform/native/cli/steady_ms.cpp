#include <chrono>

#include "cli/run.h"

namespace llmstream::cli {

double SteadyMs() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace llmstream::cli
