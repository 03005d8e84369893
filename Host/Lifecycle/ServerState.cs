namespace ThunderDb.Host.Lifecycle;

public enum ServerPhase
{
    Starting,
    Ready,
    Stopping,
}

/// <summary>What the admin endpoints report about the process: its phase and the engine, if any.</summary>
public sealed class ServerState
{
    private int _phase = (int)ServerPhase.Starting;

    public ServerPhase Phase => (ServerPhase)Volatile.Read(ref _phase);

    public IDatabaseEngine? Engine { get; set; }

    public void SetPhase(ServerPhase phase) => Volatile.Write(ref _phase, (int)phase);
}
