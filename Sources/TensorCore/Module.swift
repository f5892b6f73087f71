// Module TensorCore: see README "Architecture".
