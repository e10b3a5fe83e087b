namespace PSNamespaces.Core;

/// <summary>Named network namespaces, where iproute2 keeps them.</summary>
internal static class NamedNetns
{
    /// <summary>iproute2's NETNS_RUN_DIR.</summary>
    internal const string RunDirectory = "/run/netns";

    internal static string PathOf(string name) => RunDirectory + "/" + name;
}
