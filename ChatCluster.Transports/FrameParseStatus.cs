namespace ChatCluster.Transports;

public enum FrameParseStatus { NeedMore, Frame, Error }
