// Prints a model of its own registry and one of the bundled registry.
#include "my_models.h"
#include "zoo/Registry.h"
#include <cstdio>

int main() {
  static_assert(acme::models::TinyMLP.params == 512, "checked at compile time");
  std::printf("%s %lld\n", acme::models::TinyMLP.name,
              static_cast<long long>(acme::models::TinyMLP.params));
  std::printf("%s %lld\n", zoo::registry::Llama3_8B.name,
              static_cast<long long>(zoo::registry::Llama3_8B.params));
  return 0;
}
