# Homebrew formula for gw, built from source with CMake and Homebrew's own dependencies.
#   brew install --build-from-source installers/homebrew/gw.rb
class Gw < Formula
  desc "Governance gateway for AI coding agents (Claude Code, Codex CLI, Gemini CLI)"
  homepage "https://github.com/gw-gateway/gw"
  url "https://github.com/gw-gateway/gw/archive/refs/tags/v0.1.0.tar.gz"
  version "0.1.0"
  license "Apache-2.0"
  head "https://github.com/gw-gateway/gw.git", branch: "main"

  depends_on "cmake" => :build
  depends_on "ninja" => :build
  depends_on "pkg-config" => :build
  depends_on "cli11" => :build
  depends_on "cpp-httplib" => :build
  depends_on "nlohmann-json" => :build
  depends_on "tomlplusplus" => :build
  depends_on "libpq"
  depends_on "openssl@3"
  depends_on "re2"
  depends_on "sqlite"

  def install
    system "cmake", "-S", ".", "-B", "build", "-G", "Ninja",
           "-DGW_BUILD_TESTS=OFF", "-DGW_BUILD_BENCH=OFF", *std_cmake_args
    system "cmake", "--build", "build", "--target", "gw", "gw_completions"
    system "cmake", "--install", "build"
  end

  service do
    run [opt_bin/"gw", "agent", "run", "--idle-exit", "0"]
    keep_alive successful_exit: false
    process_type :background
  end

  test do
    assert_match "gw #{version}", shell_output("#{bin}/gw --version")
    assert_match "complete -o default -F _gw gw", shell_output("#{bin}/gw completion bash")
  end
end
