using System.Text;

namespace FedDistill.Client.Operator;

/// <summary>
/// The systemd unit of one site's silo (<c>feddistill-{site}.service</c>) in a kit written by
/// <c>feddistill federation create</c>: it runs the published silo with the kit's folder as its
/// content root, as an unprivileged user, with the storage secrets from an environment file, and
/// with the sandboxing options that a .NET process tolerates.
/// </summary>
public static class SystemdUnit
{
    /// <summary>The unit's file name for <paramref name="site"/>.</summary>
    public static string FileName(string site) => $"feddistill-{site}.service";

    /// <summary>The unit's text.</summary>
    /// <param name="federation">The federation's name.</param>
    /// <param name="clusterId">Its cluster id.</param>
    /// <param name="site">The silo's site name (its <c>SiloName</c>): <c>aggregator</c> or the organization's id.</param>
    /// <param name="isAggregator">Whether it is the aggregator's silo (it opens the gateway and the HTTPS side to the network).</param>
    /// <param name="deployment">User and paths on the silo's machine.</param>
    public static string Write(string federation, string clusterId, string site, bool isAggregator, DeploymentSettings deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var contentRoot = $"{deployment.InstallDirectory}/{site}";
        var state = $"/var/lib/feddistill/{site}";
        var role = isAggregator ? "aggregator" : "organization";
        var text = new StringBuilder();
        text.Append($$"""
            # The {{role}} silo '{{site}}' of federation '{{federation}}' (cluster {{clusterId}}), written by
            # `feddistill federation create`. To install it (as root):
            #   copy this kit's folder to {{contentRoot}} (owner root, group {{deployment.User}}, mode 0750;
            #   {{site}}.key mode 0640), put the storage connection strings in {{contentRoot}}/storage.env
            #   (mode 0600, see storage.env.example), publish the silo to {{deployment.SiloDirectory}}, then
            #   useradd --system --no-create-home {{deployment.User}}
            #   cp {{FileName(site)}} /etc/systemd/system/ && systemctl daemon-reload && systemctl enable --now {{FileName(site)}}
            [Unit]
            Description=FedDistill {{role}} silo {{site}} of federation {{federation}}
            After=network-online.target
            Wants=network-online.target
            # A silo that keeps failing at start stops being retried after 5 starts in 2 minutes.
            StartLimitIntervalSec=120
            StartLimitBurst=5

            [Service]
            Type=exec
            User={{deployment.User}}
            Group={{deployment.User}}
            ExecStart=/usr/bin/dotnet {{deployment.SiloDirectory}}/feddistill-silo.dll --contentRoot {{contentRoot}}
            # The kit's settings name its certificates relative to the content root ({{contentRoot}}).
            # /var/lib/feddistill/{{site}}, created by systemd for the user: the working directory and HOME
            # (where .NET keeps its certificate caches); nothing else on the machine is writable.
            StateDirectory=feddistill/{{site}}
            StateDirectoryMode=0700
            WorkingDirectory={{state}}
            Environment=HOME={{state}}
            Environment=DOTNET_ENVIRONMENT=Production
            # FedDistill__Silo__MembershipConnectionString (the federation's shared membership account) and
            # FedDistill__Silo__StorageConnectionString (this site's own account): secrets, kept out of
            # appsettings.json. Read by systemd as root before it drops to the user; the unit does not start without it.
            EnvironmentFile={{contentRoot}}/storage.env
            # Exit 75: the cluster declared this silo dead while it did not answer; a fresh start joins again.
            # Exit 78: invalid settings (named in the journal); a restart would fail the same way.
            Restart=on-failure
            RestartPreventExitStatus=78
            RestartSec=5
            # Graceful stop: the silo leaves the cluster and deactivates its grains; work in flight is redone on the next start.
            TimeoutStopSec={{(isAggregator ? 60 : 120)}}
            LimitNOFILE=65536

            # Sandboxing that a .NET process runs under. Not set, on purpose: MemoryDenyWriteExecute (the
            # JIT writes and then runs code: the runtime would fail at start), PrivateDevices (CUDA on a
            # GPU machine needs /dev/nvidia*) and a SystemCallFilter (not tested with libtorch here).
            NoNewPrivileges=yes
            CapabilityBoundingSet=
            AmbientCapabilities=
            ProtectSystem=strict
            ProtectHome=yes
            PrivateTmp=yes
            ProtectKernelTunables=yes
            ProtectKernelModules=yes
            ProtectKernelLogs=yes
            ProtectControlGroups=yes
            ProtectClock=yes
            ProtectHostname=yes
            RestrictSUIDSGID=yes
            RestrictRealtime=yes
            RestrictNamespaces=yes
            LockPersonality=yes
            RemoveIPC=yes
            # AF_NETLINK: .NET lists the machine's network interfaces through it.
            RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX AF_NETLINK
            SystemCallArchitectures=native
            UMask=0077

            [Install]
            WantedBy=multi-user.target

            """);
        return text.ToString();
    }

    /// <summary>The example environment file for the unit: the two connection strings it needs, to fill in.</summary>
    public static string StorageEnvironmentExample(string site, bool isAggregator) => $$"""
        # {{site}}: copy to storage.env (mode 0600, owner root) and fill in; the silo's systemd unit reads it.
        # The federation's membership account: the same on every silo of the federation (tables only).
        FedDistill__Silo__MembershipConnectionString=DefaultEndpointsProtocol=https;AccountName=MEMBERSHIP-ACCOUNT;AccountKey=...;EndpointSuffix=core.windows.net
        # {{(isAggregator ? "The aggregator's own account: the federation's state and artifacts." : "This organization's own account: its teachers' checkpoints; no other site gets it.")}}
        FedDistill__Silo__StorageConnectionString=DefaultEndpointsProtocol=https;AccountName=OWN-ACCOUNT;AccountKey=...;EndpointSuffix=core.windows.net

        """;
}
