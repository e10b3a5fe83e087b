using System.Collections.Generic;
using System.Globalization;
using PSNamespaces.Interop;

namespace PSNamespaces.Core.Proc;

/// <summary>uid → user name through NSS (getpwuid_r), asked once per uid for the life of one command.</summary>
internal sealed unsafe class UserNameCache
{
    private readonly Dictionary<uint, string?> _names = new();

    internal string? Lookup(uint uid)
    {
        if (!_names.TryGetValue(uid, out string? name))
        {
            name = Resolve(uid);
            _names[uid] = name;
        }

        return name;
    }

    /// <summary>The name to show for a uid: its user name, or the number when no passwd entry has it (as lsns and ps print it).</summary>
    internal string DisplayName(uint uid) => Lookup(uid) ?? uid.ToString(CultureInfo.InvariantCulture);

    private static string? Resolve(uint uid)
    {
        byte* pwd = stackalloc byte[Sys.PasswdSize];
        byte* buffer = stackalloc byte[2048];
        void* result = null;
        if (Sys.getpwuid_r(uid, pwd, buffer, 2048, &result) != 0 || result == null)
        {
            return null;
        }

        // pw_name is the first member of struct passwd.
        byte* pwName = *(byte**)pwd;
        return pwName == null ? null : new string((sbyte*)pwName);
    }
}
