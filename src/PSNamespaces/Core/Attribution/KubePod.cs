using System;

namespace PSNamespaces.Core.Attribution;

/// <summary>
/// The Kubernetes pod UID in a kubelet cgroup path. kubelet's systemd driver names the pod's
/// slice kubepods[-QOS]-podUID.slice with the UID's dashes turned into underscores (a dash means
/// nesting in a slice name); its cgroupfs driver makes /kubepods/[QOS/]podUID with the UID as is.
/// </summary>
internal static class KubePod
{
    /// <summary>The pod UID (with dashes), or null when the path is not under a kubelet pod.</summary>
    internal static string? FindUid(ReadOnlySpan<char> path)
    {
        bool underKubepods = false;
        while (!path.IsEmpty)
        {
            int slash = path.IndexOf('/');
            ReadOnlySpan<char> component = slash < 0 ? path : path[..slash];
            path = slash < 0 ? default : path[(slash + 1)..];
            if (component.StartsWith("kubepods", StringComparison.Ordinal) && component.EndsWith(".slice", StringComparison.Ordinal))
            {
                int pod = component.LastIndexOf("-pod", StringComparison.Ordinal);
                if (pod >= 0 && UidText(component[(pod + 4)..^6]) is string uid)
                {
                    return uid.Replace('_', '-');
                }
            }
            else if (underKubepods && component.StartsWith("pod", StringComparison.Ordinal) && UidText(component[3..]) is string uid)
            {
                return uid;
            }

            underKubepods |= component.SequenceEqual("kubepods");
        }

        return null;
    }

    /// <summary>The text when it can be a UID (hex digits with dashes or underscores; a static pod's UID is a bare hash).</summary>
    private static string? UidText(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return null;
        }

        foreach (char c in text)
        {
            if (!char.IsAsciiHexDigit(c) && c is not ('-' or '_'))
            {
                return null;
            }
        }

        return text.ToString();
    }
}
