using System.Text;
using System.Text.Json;

namespace FedDistill.Client.Operator;

/// <summary>
/// The aggregator's Kubernetes manifest (<c>aggregator/kubernetes.yaml</c>) in the kit written by
/// <c>feddistill federation create</c>: a service account without API access, the silo's
/// settings as a config map, a one-pod stateful set running the published silo's
/// image with <c>FedDistill:Silo:Hosting=kubernetes</c>, its certificates and storage secrets from
/// Secrets, ready once <c>/healthz</c> answers, and a service for its silo port, gateway and HTTPS.
/// </summary>
public static class KubernetesManifest
{
    /// <summary>The manifest's file name in the aggregator's kit.</summary>
    public const string FileName = "kubernetes.yaml";

    /// <summary>The name of every object of the manifest.</summary>
    public const string Name = "feddistill-aggregator";

    /// <summary>The Secret with the aggregator's certificate, key and the CA certificate, created from the kit's files.</summary>
    public const string TlsSecret = "feddistill-aggregator-tls";

    /// <summary>The Secret with the two storage connection strings, created from the kit's <c>storage.env</c>.</summary>
    public const string StorageSecret = "feddistill-aggregator-storage";

    /// <summary>Where the pod mounts the settings and certificates: the silo's content root.</summary>
    public const string ContentRoot = "/etc/feddistill";

    /// <summary>The manifest's text (YAML, several documents).</summary>
    /// <param name="federation">The federation's name.</param>
    /// <param name="clusterId">Its cluster id.</param>
    /// <param name="settingsJson">The pod's <c>appsettings.json</c>.</param>
    /// <param name="certificateFiles">The kit's certificate file names (CA, certificate, key), mounted next to the settings.</param>
    /// <param name="ports">The silo port, gateway port and HTTPS port.</param>
    /// <param name="deployment">The container image.</param>
    public static string Write(string federation, string clusterId, string settingsJson, IReadOnlyList<string> certificateFiles, (int Silo, int Gateway, int Https) ports,
        DeploymentSettings deployment)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        var labels = $"""
                app.kubernetes.io/name: feddistill
                app.kubernetes.io/component: aggregator
                feddistill/cluster: {Quote(clusterId)}
            """;
        var settings = string.Join('\n', settingsJson.TrimEnd().Split('\n').Select(line => "    " + line));
        var items = string.Join('\n', certificateFiles.Select(file => $"{new string(' ', 20)}- key: {Quote(file)}\n{new string(' ', 22)}path: {Quote(file)}"));
        var text = new StringBuilder();
        text.Append($"""
            # The aggregator's silo of federation '{federation}' (cluster {clusterId}) on Kubernetes, written by
            # `feddistill federation create`. Create its two Secrets from the kit first (never put them here):
            #   kubectl create secret generic {TlsSecret} {string.Join(' ', certificateFiles.Select(file => "--from-file=" + file))}
            #   kubectl create secret generic {StorageSecret} --from-env-file=storage.env
            # then: kubectl apply -f {FileName}. See deploy/README.md: the pod uses the host's network, since
            # organizations' silos dial the address the aggregator advertises (its pod IP) on the silo port.
            # The silo never calls the Kubernetes API (FedDistill does not run Orleans' cluster agent,
            # see deploy/README.md): no role, and no API token in the pod.
            apiVersion: v1
            kind: ServiceAccount
            metadata:
              name: {Name}
              labels:
            {labels}
            automountServiceAccountToken: false
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: {Name}-settings
              labels:
            {labels}
            data:
              appsettings.json: |
            {settings}
            ---
            # Consoles (gateway), browsers and Prometheus (HTTPS) reach the aggregator through this service;
            # organizations' silos dial the advertised address on the silo port directly.
            apiVersion: v1
            kind: Service
            metadata:
              name: {Name}
              labels:
            {labels}
            spec:
              type: LoadBalancer
              selector:
                app.kubernetes.io/name: feddistill
                app.kubernetes.io/component: aggregator
              ports:
                - name: silo
                  port: {ports.Silo}
                  targetPort: {ports.Silo}
                - name: gateway
                  port: {ports.Gateway}
                  targetPort: {ports.Gateway}
                - name: https
                  port: {ports.Https}
                  targetPort: {ports.Https}
            ---
            # One pod: the federation has one aggregator silo (the aggregator grain lives on the silo named 'aggregator').
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: {Name}
              labels:
            {labels}
            spec:
              replicas: 1
              serviceName: {Name}
              selector:
                matchLabels:
                  app.kubernetes.io/name: feddistill
                  app.kubernetes.io/component: aggregator
              template:
                metadata:
                  labels:
                    app.kubernetes.io/name: feddistill
                    app.kubernetes.io/component: aggregator
                    feddistill/cluster: {Quote(clusterId)}
                    orleans/clusterId: {Quote(clusterId)}
                    orleans/serviceId: {Quote(clusterId)}
                spec:
                  serviceAccountName: {Name}
                  automountServiceAccountToken: false
                  hostNetwork: true
                  dnsPolicy: ClusterFirstWithHostNet
                  terminationGracePeriodSeconds: 60
                  securityContext:
                    runAsNonRoot: true
                    runAsUser: 10001
                    runAsGroup: 10001
                    fsGroup: 10001
                  containers:
                    - name: silo
                      image: {Quote(deployment.Image)}
                      args: ["--contentRoot", "{ContentRoot}"]
                      env:
                        - name: POD_NAME
                          valueFrom:
                            fieldRef:
                              fieldPath: metadata.name
                        - name: POD_NAMESPACE
                          valueFrom:
                            fieldRef:
                              fieldPath: metadata.namespace
                        - name: POD_IP
                          valueFrom:
                            fieldRef:
                              fieldPath: status.podIP
                        - name: DOTNET_ENVIRONMENT
                          value: Production
                        - name: HOME
                          value: /tmp
                      envFrom:
                        - secretRef:
                            name: {StorageSecret}
                      ports:
                        - name: silo
                          containerPort: {ports.Silo}
                        - name: gateway
                          containerPort: {ports.Gateway}
                        - name: https
                          containerPort: {ports.Https}
                      readinessProbe:
                        httpGet:
                          path: /healthz
                          port: {ports.Https}
                          scheme: HTTPS
                        periodSeconds: 5
                        failureThreshold: 3
                      livenessProbe:
                        httpGet:
                          path: /healthz
                          port: {ports.Https}
                          scheme: HTTPS
                        initialDelaySeconds: 60
                        periodSeconds: 20
                        failureThreshold: 6
                      securityContext:
                        allowPrivilegeEscalation: false
                        readOnlyRootFilesystem: true
                        capabilities:
                          drop: ["ALL"]
                      volumeMounts:
                        - name: kit
                          mountPath: {ContentRoot}
                          readOnly: true
                        - name: tmp
                          mountPath: /tmp
                  volumes:
                    - name: kit
                      projected:
                        sources:
                          - configMap:
                              name: {Name}-settings
                          - secret:
                              name: {TlsSecret}
                              items:
            {items}
                    - name: tmp
                      emptyDir: {"{}"}

            """);
        return text.ToString();
    }

    // A YAML double-quoted scalar: JSON's string syntax is valid YAML.
    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
