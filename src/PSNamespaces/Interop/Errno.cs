using System.Runtime.InteropServices;

namespace PSNamespaces.Interop;

/// <summary>errno values the module reacts to, and the symbolic name of any errno for messages and error ids.</summary>
internal static class Errno
{
    internal const int EPERM = 1;
    internal const int ENOENT = 2;
    internal const int ESRCH = 3;
    internal const int EINTR = 4;
    internal const int ENOEXEC = 8;
    internal const int EBADF = 9;
    internal const int ECHILD = 10;
    internal const int EAGAIN = 11;
    internal const int ENOMEM = 12;
    internal const int EACCES = 13;
    internal const int EBUSY = 16;
    internal const int EEXIST = 17;
    internal const int EXDEV = 18;
    internal const int ENODEV = 19;
    internal const int ENOTDIR = 20;
    internal const int EISDIR = 21;
    internal const int EINVAL = 22;
    internal const int EMFILE = 24;
    internal const int ENOTTY = 25;
    internal const int EFBIG = 27;
    internal const int ENOSPC = 28;
    internal const int EROFS = 30;
    internal const int ENAMETOOLONG = 36;
    internal const int ENOSYS = 38;
    internal const int ELOOP = 40;
    internal const int EOVERFLOW = 75;
    internal const int EUSERS = 87;
    internal const int EOPNOTSUPP = 95;
    internal const int ESTALE = 116;
    internal const int EDQUOT = 122;

    // Indexed by errno; Linux's asm-generic numbering (x86-64 and arm64 share it).
    private static readonly string[] s_names =
    {
        "0", "EPERM", "ENOENT", "ESRCH", "EINTR", "EIO", "ENXIO", "E2BIG", "ENOEXEC", "EBADF",
        "ECHILD", "EAGAIN", "ENOMEM", "EACCES", "EFAULT", "ENOTBLK", "EBUSY", "EEXIST", "EXDEV", "ENODEV",
        "ENOTDIR", "EISDIR", "EINVAL", "ENFILE", "EMFILE", "ENOTTY", "ETXTBSY", "EFBIG", "ENOSPC", "ESPIPE",
        "EROFS", "EMLINK", "EPIPE", "EDOM", "ERANGE", "EDEADLK", "ENAMETOOLONG", "ENOLCK", "ENOSYS", "ENOTEMPTY",
        "ELOOP",
    };

    /// <summary>The symbolic name of an errno value, as in the C headers ("EPERM").</summary>
    internal static string Name(int errno) => errno switch
    {
        >= 0 when errno < s_names.Length => s_names[errno],
        EOVERFLOW => "EOVERFLOW",
        EUSERS => "EUSERS",
        EOPNOTSUPP => "EOPNOTSUPP",
        ESTALE => "ESTALE",
        EDQUOT => "EDQUOT",
        _ => "errno " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The C library's text for an errno value (strerror).</summary>
    internal static string Message(int errno) => Marshal.GetPInvokeErrorMessage(errno);

    /// <summary>The errno of the last P/Invoke made with SetLastError, read right after the call.</summary>
    internal static int Last => Marshal.GetLastPInvokeError();
}
