# What the build and the test suite need beyond the .NET SDK, one row each: Name (what a test
# asks for), one probe (Command: a program on PATH; File: a path that exists; DebianPackage:
# installed per dpkg), the Debian/Ubuntu Packages that provide it, and Why it is needed.
# `build.ps1 -Task Test` installs what is missing as root where apt-get is; elsewhere it names it,
# and the tests that need it skip (fail in CI) through tests/Pester/TestDependencies.psm1.
@{
    Dependencies = @(
        @{ Name = 'lsns'; Command = 'lsns'; Packages = @('util-linux')
            Why = 'lsns, nsenter and unshare are the reference tools the tests cross-check against' }
        @{ Name = 'ip'; Command = 'ip'; Packages = @('iproute2')
            Why = 'ip netns is the reference for named network namespaces' }
        @{ Name = 'cc'; Command = 'cc'; Packages = @('gcc', 'libc6-dev')
            Why = 'builds the exec helper for this machine and the header checks of the xunit tests' }
        @{ Name = 'nsfs.h'; File = '/usr/include/linux/nsfs.h'; Packages = @('linux-libc-dev')
            Why = 'the kernel headers the xunit tests check every constant against' }
        @{ Name = 'strace'; Command = 'strace'; Packages = @('strace')
            Why = 'watches which descriptors and calls the module makes' }
        @{ Name = 'dot'; Command = 'dot'; Packages = @('graphviz')
            Why = 'renders ConvertTo-NamespaceGraph -OutFile *.svg and checks every DOT graph the module writes' }
        @{ Name = 'busybox-static'; DebianPackage = 'busybox-static'; Packages = @('busybox-static')
            Why = 'a static busybox is the small root filesystem the chroot/-Root launch tests build' }
        @{ Name = 'aarch64-linux-gnu-gcc'; Command = 'aarch64-linux-gnu-gcc'; Packages = @('gcc-aarch64-linux-gnu')
            Why = 'builds the arm64 exec helper, which the package ships and the Nsexec and Package tests check' }
        @{ Name = 'libc6-dev-arm64-cross'; File = '/usr/aarch64-linux-gnu/lib/libc.a'; Packages = @('libc6-dev-arm64-cross')
            Why = 'the arm64 C library the arm64 exec helper is linked statically with' }
        @{ Name = 'qemu-aarch64-static'; Command = 'qemu-aarch64-static'; Packages = @('qemu-user-static')
            Why = 'runs the arm64 exec helper, and a PowerShell published for arm64 with the module''s arm64 files, in tests' }
        @{ Name = 'libstdc++6-arm64-cross'; File = '/usr/aarch64-linux-gnu/lib/libstdc++.so.6'; Packages = @('libstdc++6-arm64-cross')
            Why = 'the arm64 C++ library the .NET runtime links with, for the PowerShell that runs the module''s arm64 files under qemu (Arm64 tests)' }
        @{ Name = 'file'; Command = 'file'; Packages = @('file')
            Why = 'reads how each exec helper is linked' }
        @{ Name = 'sshd'; File = '/usr/sbin/sshd'; Packages = @('openssh-server')
            Why = 'serves the fleet of SSH remoting hosts (Fleet tests)' }
        @{ Name = 'ssh'; Command = 'ssh'; Packages = @('openssh-client')
            Why = 'ssh and ssh-keygen connect to the fleet (Fleet tests)' }
        @{ Name = 'newuidmap'; Command = 'newuidmap'; Packages = @('uidmap')
            Why = 'unshare --map-auto writes its maps through newuidmap/newgidmap; the -MapAuto tests compare' }
        @{ Name = 'runc'; Command = 'runc'; Packages = @('runc')
            Why = 'runs the plain runc containers the container tests find' }
        @{ Name = 'podman'; Command = 'podman'; Packages = @('podman')
            Why = 'runs a podman container (cgroupfs, runc) whose short id and name -Container must find' }
    )
}
