"""What is made of a diagram or its frames, one module per format. Each takes rendered frames (or a
Digraph) and returns bytes or writes files; none knows another."""
