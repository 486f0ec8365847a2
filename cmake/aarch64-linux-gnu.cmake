# CMake toolchain file: bcc-forkwatch for arm64 with Debian's cross compiler
# (gcc-aarch64-linux-gnu) against an arm64 root that holds the -dev packages
# (scripts/vm-test builds one in its cache). Pass the root as CMAKE_SYSROOT:
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake \
#         -DCMAKE_SYSROOT=/var/cache/bcc-forkwatch-vm/aarch64/root-<hash>
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
if(NOT CMAKE_SYSROOT)
  message(FATAL_ERROR "aarch64-linux-gnu.cmake: pass -DCMAKE_SYSROOT=<an arm64 root with the -dev packages>")
endif()
# Headers, libraries and pkg-config files from the arm64 root only; programs
# (cmake, the host's tools) from the host.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${CMAKE_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR} "${CMAKE_SYSROOT}/usr/lib/aarch64-linux-gnu/pkgconfig:${CMAKE_SYSROOT}/usr/share/pkgconfig")
